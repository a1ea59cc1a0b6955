"""Contacting the appellant: the full phone number, shown one appeal at a time and logged."""

from django.db import transaction

from minxin.accounts.models import User
from minxin.audit.models import AuditKind
from minxin.audit.services import audit_record
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed

from ..models import Appeal, PhoneReveal
from ..permissions import may_reveal_phone
from ..selectors import appeal_scope_for


@transaction.atomic(durable=True)
def phone_reveal(*, actor: User, appeal: Appeal) -> str:
    """The appellant's full number for `actor` to call, once the reveal is written (who, of
    which unit and role, which appeal, when). Refused to roles that do not call, and, like every
    page, 404 for an appeal out of the actor's scope. Self-contained: a general audit log can
    add its row here, in the same transaction."""
    if not may_reveal_phone(actor):
        raise PermissionDenied("您的角色不能查看诉求人的完整号码")
    if not appeal_scope_for(user=actor).filter(pk=appeal.pk).exists():
        raise NotFound
    if not appeal.appellant_phone:
        raise ValidationFailed("诉求人未留联系电话")
    PhoneReveal.objects.create(
        appeal=appeal, actor=actor, actor_unit_id=actor.unit_id, role=actor.role
    )
    audit_record(
        kind=AuditKind.PHONE_REVEAL,
        actor=actor,
        target=f"诉求 {appeal.tracking_number}",
        summary="查看诉求人完整号码",
        payload={"appeal": appeal.pk},
    )
    return appeal.appellant_phone
