"""Reads of bulk imports, scoped to the viewer: a dispatcher sees the imports they started, an
administrator every import; anything else is "not found"."""

from django.db.models import QuerySet

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.core.errors import NotFound

from .models import ImportJob, ImportRejection


def import_jobs_for(*, user: User) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")
    return jobs if user.role == Role.ADMIN else jobs.filter(created_by=user)


def import_job_get_for(*, user: User, job_id: int) -> ImportJob:
    job = import_jobs_for(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("未找到该导入记录或无权查看")
    return job


def import_rejections(*, job: ImportJob) -> QuerySet[ImportRejection]:
    return ImportRejection.objects.filter(job=job).order_by("row_number", "id")
