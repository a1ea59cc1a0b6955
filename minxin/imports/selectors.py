"""Reads of bulk imports, scoped to the viewer: a dispatcher (or the office, for projects) sees
the imports they started of a kind they may import, an administrator every import; anything
else is "not found"."""

from django.db.models import QuerySet

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import NotFound
from minxin.core.queries import filtered

from .models import ImportJob, ImportRejection
from .permissions import kinds_importable


def import_jobs_for(*, user: User, kind: str = "") -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by", "programme").order_by(
        "-created_at", "-id"
    )
    jobs = filtered(jobs, kind=kind)
    if user.role == Role.ADMIN:
        return jobs
    return jobs.filter(created_by=user, kind__in=kinds_importable(user))


def import_job_get_for(*, user: User, job_id: int) -> ImportJob:
    job = import_jobs_for(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("未找到该导入记录或无权查看")
    return job


def import_rejections(*, job: ImportJob) -> QuerySet[ImportRejection]:
    return ImportRejection.objects.filter(job=job).order_by("row_number", "id")
