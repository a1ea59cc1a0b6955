"""The signed-in member of staff, optionally required to hold one of some roles."""

from collections.abc import Collection

from django.http import HttpRequest

from minxin.core.errors import NotFound

from .models import User
from .roles import Role


def staff_user(request: HttpRequest, roles: Collection[Role] | None = None, page: str = "") -> User:
    """The request's user (views are behind login_required); a page for other roles is 404,
    like a missing one, so scope cannot be probed."""
    user = request.user
    assert isinstance(user, User)
    if roles is not None and user.role not in roles:
        raise NotFound(f"本页面仅供{page}使用" if page else None)
    return user
