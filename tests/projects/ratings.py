"""Projects brought to a rateable stage through the real services, and confirmed phones, for
the tests of the people's verdict and the public pages."""

from minxin.notify.phone import phone_hash
from minxin.projects.models import Project
from minxin.projects.services import milestone_done, project_act
from minxin.projects.workflow import ProjectAction
from tests.builders import District
from tests.projects.builders import day, project_new

PHONES = [f"1391234{n:04d}" for n in range(50)]


def phone(n: int = 0) -> str:
    """A confirmed phone, as the SMS code gives it: its keyed hash."""
    return phone_hash(PHONES[n])


def act(d: District, project: Project, action: str, who: str = "supervisor") -> Project:
    return project_act(
        project_id=project.pk, action=action, actor=d.user(who), expected_version=None, reason="好"
    )


def project_at(d: District, stage: str, **overrides: object) -> Project:
    """A project planned, started, completed, accepted or re-visited (`stage`)."""
    project = project_new(d, **overrides)
    steps = {
        "planned": [],
        "in_progress": [ProjectAction.START],
        "completed": [ProjectAction.START, ProjectAction.COMPLETE],
        "accepted": [ProjectAction.START, ProjectAction.COMPLETE, ProjectAction.ACCEPT],
        "revisit": [
            ProjectAction.START,
            ProjectAction.COMPLETE,
            ProjectAction.ACCEPT,
            ProjectAction.REVISIT,
        ],
    }[stage]
    for action in steps:
        project = act(d, project, action)
    return Project.objects.get(pk=project.pk)


def first_milestone_done(d: District, project: Project) -> int:
    milestone = project.milestones.order_by("position").first()
    assert milestone is not None
    milestone_done(
        actor=d.user("supervisor"), project_id=project.pk, milestone_id=milestone.pk, done_on=day(0)
    )
    return milestone.pk
