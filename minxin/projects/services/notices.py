"""Where a project's notices point and who receives them: the project's page, the handlers of
its lead and assisting units, the supervision office."""

from django.urls import reverse

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers

from ..models import Project


def project_path(project_id: int) -> str:
    return reverse("projects:project_detail", args=[project_id])


def project_handlers(project: Project) -> list[User]:
    units = [project.lead_unit_id, *project.assisting_units.values_list("pk", flat=True)]
    return list(unit_handlers(units))


def office_supervisors() -> list[User]:
    return list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))
