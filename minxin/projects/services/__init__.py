"""Every write to a livelihood project, through the projects' machine (`machine.PROJECTS`):
the project's status and its derived figures change only there, each step one ProjectEvent
on its timeline, in the same transaction as the rows it adds (targets, milestones, reports,
letters, links, warnings). Bad input is refused with the reason before anything is written.

By stage of a project (as `cases/services/`):

- `create`: what a form or a spreadsheet gives (values, points, drafts), checked, and the new
  project with its points, targets and milestones;
- `steps`: the plain steps of the table (adopt, start, suspend, resume, complete, accept, send
  back, revisit);
- `progress`: the units' progress reports (corrections with their reason) and milestones done;
- `plan`: the deadline moved (the open milestones planned backwards again) and the units'
  responsibility letters;
- `appeals`: appeals linked to a project, and a hotspot made a candidate project;
- `supervision`: orders to the lead unit and the warnings of projects behind plan;
- `notices`: the project's link and who is told."""

from .appeals import appeal_link, appeal_link_within, project_from_hotspot
from .create import (
    COORDINATES,
    MILESTONE_DAYS_MAX,
    NAME_MAX,
    POINTS_MAX,
    VALUE_MAX,
    MilestoneDraft,
    PointDraft,
    ProjectDraft,
    TargetDraft,
    point_clean,
    project_create,
    project_create_within,
    project_draft_clean,
    value_clean,
)
from .notices import project_path
from .plan import LETTER_MAX_BYTES, LETTER_TYPES, letter_sign, project_replan
from .progress import NOTE_MAX, PHOTOS_MAX, ProgressDraft, milestone_done, progress_report
from .steps import PLAIN_ACTIONS, project_act
from .supervision import project_order_issue, project_warnings_raise

__all__ = [
    "COORDINATES",
    "LETTER_MAX_BYTES",
    "LETTER_TYPES",
    "MILESTONE_DAYS_MAX",
    "NAME_MAX",
    "NOTE_MAX",
    "PHOTOS_MAX",
    "PLAIN_ACTIONS",
    "POINTS_MAX",
    "VALUE_MAX",
    "MilestoneDraft",
    "PointDraft",
    "ProgressDraft",
    "ProjectDraft",
    "TargetDraft",
    "appeal_link",
    "appeal_link_within",
    "letter_sign",
    "milestone_done",
    "point_clean",
    "progress_report",
    "project_act",
    "project_create",
    "project_create_within",
    "project_draft_clean",
    "project_from_hotspot",
    "project_order_issue",
    "project_path",
    "project_replan",
    "project_warnings_raise",
    "value_clean",
]
