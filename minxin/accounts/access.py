"""The signed-in member of staff, optionally required to pass one of the apps' permission
predicates (each app names its own once, in its permissions.py)."""

from collections.abc import Callable

from django.http import HttpRequest

from minxin.core.errors import NotFound

from .models import User
from .roles import Role

Permission = Callable[[User], bool]


def staff_user(request: HttpRequest, allowed: Permission | None = None, page: str = "") -> User:
    """The request's user (views are behind login_required); a page the user may not open is
    404, like a missing one, so scope cannot be probed."""
    user = request.user
    assert isinstance(user, User)
    if allowed is not None and not allowed(user):
        raise NotFound(f"本页面仅供{page}使用" if page else None)
    return user


def has_role(user: User, *roles: Role) -> bool:
    return user.role in roles
