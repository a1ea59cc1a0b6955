"""The same sheet imported twice at the same moment (two workers): each project is created
once, because each project's transaction locks the programme before it checks the name."""

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from minxin.imports import projects as project_import
from minxin.imports import services
from minxin.imports.models import ImportJob, ImportKind
from minxin.projects.models import Project
from tests.builders import District
from tests.imports.files import rows_xlsx, upload

from .builders import programme_new
from .test_import import GOOD, HEADER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_two_runs_of_one_sheet_racing_create_each_project_once(
    district: District, monkeypatch: Any
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that runs two writers at once (PostgreSQL)")
    office = district.user("supervisor")
    programme = programme_new()
    jobs = []
    for _ in range(2):
        job = services.import_job_upload(
            actor=office,
            upload=upload("民心工程.xlsx", rows_xlsx(GOOD, HEADER)),
            kind=ImportKind.PROJECTS,
            programme_id=programme.pk,
        )
        services.import_job_map(
            actor=office,
            job_id=job.pk,
            raw_mapping={k: str(v) for k, v in job.mapping.items()},
            source_system="",
            default_kind="",
        )  # the dry run runs on commit (the immediate task backend)
        jobs.append(ImportJob.objects.select_related("created_by").get(pk=job.pk))
    assert [j.valid for j in jobs] == [2, 2]

    real = project_import.project_create_within

    def slow(**kwargs: Any) -> Project:
        project = real(**kwargs)
        time.sleep(0.3)  # the other run checks the name now, before this one commits
        return project

    monkeypatch.setattr(project_import, "project_create_within", slow)
    errors: list[BaseException] = []

    def work(job: ImportJob) -> None:
        try:
            project_import.projects_run(job)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert Project.objects.filter(programme=programme).count() == 2
    counts = [ImportJob.objects.values_list("created", "existing").get(pk=j.pk) for j in jobs]
    assert sorted(c[0] for c in counts) in ([0, 2], [1, 1])
    assert sum(c[0] for c in counts) == 2 and sum(c[1] for c in counts) == 2
