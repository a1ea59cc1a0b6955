"""The staff navigation: each app lists its pages in `<app>/nav.py` (`NAV`), each with the
permission predicate its view requires, so a link shows exactly to those who may open it."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from minxin.core.discover import app_modules

from .models import User


@dataclass(frozen=True)
class NavItem:
    order: int  # position in the bar, across apps
    url_name: str
    label: str
    allowed: Callable[[User], bool]


@cache
def nav_items() -> list[NavItem]:
    found = [item for module in app_modules("nav") for item in getattr(module, "NAV", ())]
    return sorted(found, key=lambda item: item.order)


def nav_for(user: User) -> list[tuple[str, str]]:
    """(url name, label) of the pages `user` may open, in order."""
    return [(item.url_name, item.label) for item in nav_items() if item.allowed(user)]
