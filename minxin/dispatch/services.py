from typing import Final

from django.db import transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.text import line_clean
from minxin.directory.models import Unit
from minxin.directory.selectors import jurisdiction_of_region, serving, the_only_district

from .models import SAVED_FILTER_MISSING, RoutingRule, RoutingRuleHistory, SavedFilter

RULE_MISSING = "未找到该路由规则"


def routing_rule_place(*, rule: RoutingRule, actor: User | None) -> None:
    """Decide the rule's district and check it, before it is saved (the admin's form asks
    too, to show the refusal beside the fields). A district's admin writes their district's
    rules only (another district's is as good as missing; the city's they may only read); a
    rule for a place is the place's district's, and on an install of one district every rule
    is its (`the_only_district`); its unit must serve its district."""
    scope = actor.jurisdiction_scope if actor is not None else None
    if scope is not None:
        if rule.pk is not None:
            stored = RoutingRule.objects.filter(pk=rule.pk).values_list("jurisdiction_id")
            if not stored or stored[0][0] not in (None, scope):
                raise NotFound(RULE_MISSING)
            if stored[0][0] is None:
                raise PermissionDenied("市级路由规则只能由市级管理员修改")
        if rule.jurisdiction_id not in (None, scope):
            raise PermissionDenied("只能维护本辖区的路由规则")
        rule.jurisdiction_id = scope
    placed = jurisdiction_of_region(rule.region_id) if rule.region_id is not None else None
    if placed is not None and rule.jurisdiction_id is None:
        rule.jurisdiction_id = placed
    elif placed is not None and placed != rule.jurisdiction_id:
        raise ValidationFailed("所选区域不属于该规则的辖区")
    if rule.jurisdiction_id is None:
        rule.jurisdiction_id = the_only_district()
    if not Unit.objects.filter(serving(rule.jurisdiction_id), pk=rule.unit_id).exists():
        raise ValidationFailed("承办单位不属于该规则的辖区，也不是市级单位，请重新选择")


@transaction.atomic
def routing_rule_save(*, rule: RoutingRule, actor: User | None, note: str) -> RoutingRule:
    """Create or change a rule (its district decided and checked: `routing_rule_place`); a
    note is required and the new state goes into the history."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("修改路由规则必须填写修改说明")
    routing_rule_place(rule=rule, actor=actor)
    rule.note = note
    rule.updated_by = actor
    rule.updated_at = timezone.now()
    rule.save()
    RoutingRuleHistory.objects.create(
        rule=rule,
        category_name=rule.category.path_name,
        region_name=rule.region.name if rule.region else "全区",
        jurisdiction_name=rule.jurisdiction_name,
        unit_name=rule.unit.name,
        is_active=rule.is_active,
        note=note,
        changed_by=actor,
        changed_at=rule.updated_at,
    )
    return rule


# --- the screening queue's saved filters (常用筛选) --------------------------------------------

SAVED_FILTERS_MAX: Final = 20


@transaction.atomic(durable=True)
def saved_filter_save(*, actor: User, name: str, query: str) -> SavedFilter:
    """Keep the queue's `query` (already normalised by the caller: known keys only) under
    `name` for `actor`; the same name again replaces its query. At most SAVED_FILTERS_MAX."""
    name = line_clean(name, label="筛选名称", max_length=30)
    if not query:
        raise ValidationFailed("请先设置筛选条件，再保存为常用筛选")
    if len(query) > SavedFilter._meta.get_field("query").max_length:  # type: ignore[operator]
        raise ValidationFailed("筛选条件过长，请减少条件后再保存")
    # The user's row locked: two saves at once cannot both pass the count.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    existing = SavedFilter.objects.filter(user=actor, name=name).first()
    if existing is not None:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    if SavedFilter.objects.filter(user=actor).count() >= SAVED_FILTERS_MAX:
        raise ValidationFailed(f"常用筛选最多{SAVED_FILTERS_MAX}个，请先删除不再使用的")
    return SavedFilter.objects.create(user=actor, name=name, query=query)


@transaction.atomic(durable=True)
def saved_filter_delete(*, actor: User, filter_id: int) -> None:
    """Delete one of the actor's own saved filters; another user's is as good as missing."""
    deleted, _ = SavedFilter.objects.filter(pk=filter_id, user=actor).delete()
    if not deleted:
        raise NotFound(SAVED_FILTER_MISSING)
