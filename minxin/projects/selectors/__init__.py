"""Reads of livelihood projects, always for a viewer: a handler sees the projects its unit
leads or assists, the office and the hotline centre all of them; out of scope and missing
answer the same NotFound. The programme page reads its figures from the rows the reports
keep (`Project.progress`, `Target.achieved`): a few queries whatever the number of reports.

By page (as `cases/services/` by stage):

- `scope`: the projects and programmes a viewer sees, and the programmes a form offers;
- `programme`: the programme page (rows, counts, achievements, the year's parts, warnings);
- `project`: one project's page, its reports, photos, letters and where progress is placed;
- `appeals`: appeals that may be about a project, and the projects of an appeal;
- `units`: the projects a unit reports on, and the lead units' figures for the scorecards."""

from .appeals import (
    LINKABLE,
    SUGGESTION_SCAN,
    SUGGESTIONS_SHOWN,
    AppealProjects,
    appeal_numbered,
    appeals_suggested,
    hotspot_for,
    projects_linked_to,
    projects_of_appeal,
)
from .programme import Achievement, Overview, ProjectRow, YearPart, programme_overview, year_parts
from .project import (
    REPORTS_SHOWN,
    TIMELINE_ROWS,
    AppealsLinked,
    MilestoneView,
    ProjectPage,
    TargetView,
    YearView,
    letter_for,
    project_page,
    report_photo_for,
    report_places,
    reports_of,
)
from .scope import programmes_for, programmes_of, programmes_to_choose, project_for, projects_for
from .units import MEASURED, UnitProject, on_plan_by_unit, unit_projects_for

__all__ = [
    "LINKABLE",
    "MEASURED",
    "REPORTS_SHOWN",
    "SUGGESTIONS_SHOWN",
    "SUGGESTION_SCAN",
    "TIMELINE_ROWS",
    "Achievement",
    "AppealProjects",
    "AppealsLinked",
    "MilestoneView",
    "Overview",
    "ProjectPage",
    "ProjectRow",
    "TargetView",
    "UnitProject",
    "YearPart",
    "YearView",
    "appeal_numbered",
    "appeals_suggested",
    "hotspot_for",
    "letter_for",
    "on_plan_by_unit",
    "programme_overview",
    "programmes_for",
    "programmes_of",
    "programmes_to_choose",
    "project_for",
    "project_page",
    "projects_for",
    "projects_linked_to",
    "projects_of_appeal",
    "report_photo_for",
    "report_places",
    "reports_of",
    "unit_projects_for",
    "year_parts",
]
