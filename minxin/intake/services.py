"""Intake: receive an appeal from any channel, then have it triaged in the background."""

from collections.abc import Callable, Sequence

from django.core.files.uploadedfile import UploadedFile

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases.models import Appeal, AppealKind
from minxin.cases.services import AppealDraft, CreatedAppeal, Upstream, appeal_create
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import ValidationFailed
from minxin.knowledge.selectors import article_answering
from minxin.knowledge.services import appeal_answer_directly
from minxin.triage.tasks import triage_waiting_queue


def appeal_receive(
    *,
    actor: Actor,
    draft: AppealDraft,
    photos: Sequence[UploadedFile[bytes]] = (),
    submission_key: str | None = None,
    upstream: Upstream | None = None,
    channel_record: Callable[[Appeal], None] | None = None,
) -> CreatedAppeal:
    """`appeal_create` (its own durable transaction), its triage queued with it: a run of the
    waiting appeals' triage, unless one waits to start already (`triage_waiting_queue`); a
    resubmitted form that found its earlier appeal queues nothing."""

    def received(appeal: Appeal) -> None:
        if channel_record is not None:
            channel_record(appeal)
        triage_waiting_queue()

    return appeal_create(
        actor=actor,
        draft=draft,
        photos=photos,
        submission_key=submission_key,
        upstream=upstream,
        channel_record=received,
    )


def appeal_receive_answered(
    *, actor: User, draft: AppealDraft, article_id: int, submission_key: str | None = None
) -> CreatedAppeal:
    """A hotline inquiry answered on the spot (直接答复): checked first (an inquiry, a published
    article), received like every call, then closed with the article's answer in its own
    transaction (knowledge's service). A form sent twice finds its appeal already answered."""
    if draft.kind != AppealKind.INQUIRY:
        raise ValidationFailed("只有咨询类诉求可以直接答复，请将诉求类型选为「咨询」")
    article_answering(article_id=article_id)
    result = appeal_receive(actor=Actor.of(actor), draft=draft, submission_key=submission_key)
    if result.appeal.status == AppealStatus.RECEIVED:
        answered = appeal_answer_directly(
            actor=actor, appeal_id=result.appeal.pk, article_id=article_id
        )
        return CreatedAppeal(appeal=answered, created=result.created)
    return result
