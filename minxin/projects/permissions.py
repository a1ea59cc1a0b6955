"""Who may see and run livelihood projects, named once. Which unit may report on which
project is the projects' table and machine (the lead and assisting units' handlers)."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .workflow import OFFICE


def sees_every_project(user: User) -> bool:
    """The supervision office, leaders, admins and the hotline centre (which links appeals)."""
    return user.role in OFFICE or has_role(user, Role.DISPATCHER, Role.CALL_TAKER)


def may_see_projects(user: User) -> bool:
    """The projects pages: everyone above, and handlers (the projects of their unit)."""
    return sees_every_project(user) or has_role(user, Role.HANDLER)


def may_run_projects(user: User) -> bool:
    """Enter projects, sign letters, re-plan, issue orders: the office."""
    return user.role in OFFICE


def may_link_appeals(user: User) -> bool:
    return user.role in OFFICE or has_role(user, Role.DISPATCHER)
