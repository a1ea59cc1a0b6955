from django.db import transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import ValidationFailed

from .models import RoutingRule, RoutingRuleHistory


@transaction.atomic
def routing_rule_save(*, rule: RoutingRule, actor: User | None, note: str) -> RoutingRule:
    """Create or change a rule; a note is required and the new state goes into the history."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("修改路由规则必须填写修改说明")
    rule.note = note
    rule.updated_by = actor
    rule.updated_at = timezone.now()
    rule.save()
    RoutingRuleHistory.objects.create(
        rule=rule,
        category_name=rule.category.path_name,
        region_name=rule.region.name if rule.region else "全区",
        unit_name=rule.unit.name,
        is_active=rule.is_active,
        note=note,
        changed_by=actor,
        changed_at=rule.updated_at,
    )
    return rule
