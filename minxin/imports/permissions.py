"""Who may import in bulk, named once: appeals (the dispatcher's import pages) and livelihood
projects (the office, who runs projects)."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.projects.permissions import may_run_projects

from .models import ImportKind


def may_import(user: User) -> bool:
    return has_role(user, Role.DISPATCHER, Role.ADMIN)


def may_import_projects(user: User) -> bool:
    return may_run_projects(user)


def kinds_importable(user: User) -> list[str]:
    return [
        kind
        for kind, allowed in (
            (ImportKind.APPEALS, may_import(user)),
            (ImportKind.PROJECTS, may_import_projects(user)),
        )
        if allowed
    ]


def may_import_any(user: User) -> bool:
    return bool(kinds_importable(user))
