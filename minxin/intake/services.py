"""Intake: receive an appeal from any channel, then have it triaged in the background."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from minxin.accounts.actor import Actor
from minxin.cases.services import AppealDraft, CreatedAppeal, appeal_create
from minxin.triage.tasks import triage_appeal_task


def appeal_receive(
    *,
    actor: Actor,
    draft: AppealDraft,
    photos: Sequence[UploadedFile[bytes]] = (),
    submission_key: str | None = None,
) -> CreatedAppeal:
    """`appeal_create` (its own durable transaction), then triage once it is committed; a
    resubmitted form that found its earlier appeal is not triaged again."""
    result = appeal_create(actor=actor, draft=draft, photos=photos, submission_key=submission_key)
    if result.created:
        appeal_id = result.appeal.pk
        transaction.on_commit(lambda: triage_appeal_task.enqueue(appeal_id))
    return result
