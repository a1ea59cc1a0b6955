"""Triage in the loop: every new appeal gets a stored suggestion at intake; 快速交办 rules
screen and dispatch as the system; the screening panel shows and applies the suggestion."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal, AppealEvent, Channel
from minxin.cases.services import AppealDraft
from minxin.cases.workflow import Action, AppealStatus
from minxin.dispatch.models import RoutingRule
from minxin.intake.services import appeal_receive
from minxin.triage.models import AutoDispatchRule, TriageCorrection, TriageSuggestion
from minxin.triage.services import appeal_triage
from minxin.triage.tasks import triage_waiting_task
from tests.builders import appeal_new

pytestmark = pytest.mark.django_db

GARBAGE = {
    "title": "景蓉华苑小区垃圾无人清运",
    "content": "桂花坪街道景蓉华苑小区门口生活垃圾堆放三天无人清运，气味很大，环卫工人一直没来。",
}
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ADVERT = {"title": "加微信 abc12345 低息贷款", "content": "快速放款，日结工资，联系微信"}


@pytest.fixture
def routed(district):
    """A routing rule: 城乡建设 anywhere → street 0's office."""
    RoutingRule.objects.create(
        category=district.category_top, unit=district.street_units[0], note="测试"
    )
    return district


def _receive(d, django_capture_on_commit_callbacks, **text: str) -> Appeal:
    with django_capture_on_commit_callbacks(execute=True):
        created = appeal_receive(
            actor=Actor.of(d.user("call_taker")),
            draft=AppealDraft(
                channel=Channel.HOTLINE,
                kind="complaint",
                appellant_phone="13812345678",
                **(text or GARBAGE),  # type: ignore[arg-type]
            ),
        )
    return Appeal.objects.get(pk=created.appeal.pk)


def _runs_waiting() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=triage_waiting_task.module_path, status="READY"
    ).count()


def _events(appeal: Appeal) -> list[tuple[str, str]]:
    return [
        (e.action, e.actor.role if e.actor else Role.SYSTEM)
        for e in AppealEvent.objects.filter(appeal=appeal).select_related("actor").order_by("pk")
    ]


def test_intake_stores_a_suggestion(routed, installed_model, django_capture_on_commit_callbacks):
    appeal = _receive(routed, django_capture_on_commit_callbacks)
    s = TriageSuggestion.objects.get(appeal=appeal)
    assert s.top_category_name == "城乡建设"
    assert s.category is not None and s.category.path_name.startswith("城乡建设")
    assert Decimal(0) < s.confidence <= Decimal(1)
    assert s.is_valid and s.duplicates == []
    assert s.suggested_unit == routed.street_units[0]
    # no rule: nothing automatic
    assert appeal.status == AppealStatus.RECEIVED


def test_triage_is_idempotent_and_finds_the_duplicate(
    routed, installed_model, django_capture_on_commit_callbacks
):
    first = _receive(routed, django_capture_on_commit_callbacks)
    second = _receive(routed, django_capture_on_commit_callbacks)
    appeal_triage(appeal_id=second.pk)
    s = TriageSuggestion.objects.get(appeal=second)
    assert [d["appeal_id"] for d in s.duplicates] == [first.pk]
    assert s.duplicates[0]["tracking_number"] == first.tracking_number
    assert s.duplicates[0]["same_person"] is True
    assert TriageSuggestion.objects.count() == 2


def test_auto_dispatch_rule_dispatches_as_the_system(
    routed, installed_model, django_capture_on_commit_callbacks
):
    AutoDispatchRule.objects.create(category=routed.category_top, min_confidence=Decimal("0.10"))
    appeal = _receive(routed, django_capture_on_commit_callbacks)
    assert appeal.status == AppealStatus.DISPATCHED
    assert appeal.lead_unit == routed.street_units[0]
    assert _events(appeal) == [
        (Action.RECEIVE, Role.CALL_TAKER),
        (Action.SCREEN, Role.SYSTEM),
        (Action.DISPATCH, Role.SYSTEM),
    ]


def test_rule_below_confidence_or_inactive_does_nothing(
    routed, installed_model, django_capture_on_commit_callbacks
):
    rule = AutoDispatchRule.objects.create(
        category=routed.category_top, min_confidence=Decimal("1.00")
    )
    assert _receive(routed, django_capture_on_commit_callbacks).status == AppealStatus.RECEIVED
    rule.min_confidence, rule.is_active = Decimal("0.10"), False
    rule.save()
    assert _receive(routed, django_capture_on_commit_callbacks).status == AppealStatus.RECEIVED


def test_advertising_is_never_auto_dispatched(
    routed, installed_model, django_capture_on_commit_callbacks
):
    for top in ("城乡建设", "商贸旅游", "劳动和社会保障", "经济管理"):
        cat = routed.category_top if top == "城乡建设" else None
        if cat is None:
            from minxin.directory.models import Category

            cat = Category.objects.create(name=top)
            RoutingRule.objects.create(category=cat, unit=routed.departments[0], note="测试")
        AutoDispatchRule.objects.create(category=cat, min_confidence=Decimal("0.00"))
    appeal = _receive(routed, django_capture_on_commit_callbacks, **ADVERT)
    s = TriageSuggestion.objects.get(appeal=appeal)
    assert not s.is_valid and s.validity_reason
    assert appeal.status == AppealStatus.RECEIVED
    assert _events(appeal) == [(Action.RECEIVE, Role.CALL_TAKER)]


def test_a_resubmitted_form_is_not_triaged_again(
    routed, installed_model, django_capture_on_commit_callbacks
):
    draft = AppealDraft(channel=Channel.WEB, kind="complaint", is_anonymous=True, **GARBAGE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        appeal_receive(actor=Actor.citizen(), draft=draft, submission_key="k" * 32)
        again = appeal_receive(actor=Actor.citizen(), draft=draft, submission_key="k" * 32)
    assert not again.created and len(callbacks) == 1


# --- the screening panel -------------------------------------------------------------------


def _accept_data(client, appeal: Appeal) -> dict[str, str]:
    """The hidden fields of the one-click form, as the panel renders them."""
    import re

    html = client.get(reverse("triage:panel", args=[appeal.pk])).content.decode()
    start = html.index('class="accept-form"')
    form = html[start : html.index("</form>", start)]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    fields.pop("dispatch", None)  # the button 采纳建议并派单; 采纳建议并甄别 sends no value
    return fields


def test_panel_shows_the_suggestion_to_a_dispatcher_and_404s_for_a_handler(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    first = _receive(routed, django_capture_on_commit_callbacks)
    appeal = _receive(routed, django_capture_on_commit_callbacks)
    client.force_login(routed.user("dispatcher"))
    html = client.get(reverse("triage:panel", args=[appeal.pk])).content.decode()
    s = TriageSuggestion.objects.get(appeal=appeal)
    assert "智能甄别建议" in html and s.category.path_name in html
    assert "置信度" in html and "电话号码" not in html
    assert routed.street_units[0].name in html
    assert reverse("cases:appeal_detail", args=[first.pk]) in html  # the duplicate, linked
    assert "采纳建议并甄别" in html and "确认甄别" in html
    client.force_login(routed.user("handler"))
    assert client.get(reverse("triage:panel", args=[appeal.pk])).status_code == 404
    assert client.post(reverse("triage:screen", args=[appeal.pk])).status_code == 404


def test_panel_without_a_suggestion_queues_the_triage_and_asks_again(
    client, routed, installed_model, settings
):
    appeal = appeal_new(routed, **GARBAGE)  # straight through cases: no triage queued
    client.force_login(routed.user("dispatcher"))
    settings.TASKS = DB_TASKS  # the queue waits for a worker, as in production
    url = reverse("triage:panel", args=[appeal.pk])

    html = client.get(url).content.decode()
    client.get(url)  # the panel asks again: still one run waiting

    # Not computed in the request: queued, and a waiting state that loads the panel again.
    assert not TriageSuggestion.objects.filter(appeal=appeal).exists()
    assert "智能建议生成中" in html and "智能甄别建议" not in html
    panel = html[html.index('id="screen-panel"') : html.index(">", html.index('id="screen-panel"'))]
    assert f'hx-get="{url}"' in panel and 'hx-trigger="load delay:2s"' in panel
    assert 'hx-swap="outerHTML"' in panel
    assert _runs_waiting() == 1

    assert triage_waiting_task.call() == 1  # the worker's run

    html = client.get(url).content.decode()
    assert "智能甄别建议" in html and "智能建议生成中" not in html and "hx-trigger" not in html
    assert _runs_waiting() == 1  # the run itself was called, not taken from the queue


def test_panel_on_the_immediate_backend_shows_the_suggestion_once_asked_again(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    appeal = appeal_new(routed, **GARBAGE)
    client.force_login(routed.user("dispatcher"))
    url = reverse("triage:panel", args=[appeal.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert "智能建议生成中" in client.get(url).content.decode()
    assert TriageSuggestion.objects.filter(appeal=appeal).exists()  # the run, queued: done
    assert "智能甄别建议" in client.get(url).content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RECEIVED


def test_one_click_accept_screens_with_the_suggestion_and_records_nothing(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    appeal = _receive(routed, django_capture_on_commit_callbacks)
    s = TriageSuggestion.objects.get(appeal=appeal)
    client.force_login(routed.user("dispatcher"))
    response = client.post(reverse("triage:screen", args=[appeal.pk]), _accept_data(client, appeal))
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.SCREENED
    assert (appeal.category, appeal.urgency) == (s.category, s.urgency)
    assert appeal.region == s.region
    assert not TriageCorrection.objects.exists()


def test_an_override_is_recorded_as_a_correction(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    appeal = _receive(routed, django_capture_on_commit_callbacks)
    s = TriageSuggestion.objects.get(appeal=appeal)
    client.force_login(routed.user("dispatcher"))
    data = _accept_data(client, appeal)
    other = routed.category if s.category != routed.category else routed.category_top
    data.update(category=str(other.pk), urgency="critical")
    client.post(reverse("triage:screen", args=[appeal.pk]), data)
    got = {
        c.field: (c.suggested_value, c.chosen_value, c.actor)
        for c in TriageCorrection.objects.filter(appeal=appeal)
    }
    dispatcher = routed.user("dispatcher")
    assert got == {
        "category": (s.category.path_name, other.path_name, dispatcher),
        "urgency": (s.urgency, "critical", dispatcher),
    }


def test_the_appeal_page_loads_the_screen_panel_then_the_dispatch_panel(client, routed):
    appeal = appeal_new(routed)
    client.force_login(routed.user("dispatcher"))
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert reverse("triage:panel", args=[appeal.pk]) in page
    assert reverse("dispatch:panel", args=[appeal.pk]) not in page
    client.post(
        reverse("triage:screen", args=[appeal.pk]),
        {"version": appeal.version, "category": routed.category.pk, "urgency": "normal"},
    )
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert reverse("triage:panel", args=[appeal.pk]) not in page
    assert reverse("dispatch:panel", args=[appeal.pk]) in page


def test_one_key_accepts_screens_dispatches_and_opens_the_next(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    appeal = _receive(routed, django_capture_on_commit_callbacks)
    following = _receive(
        routed,
        django_capture_on_commit_callbacks,
        title="路灯不亮",
        content="景蓉华苑东门路灯坏了一周，晚上很黑。",
    )
    s = TriageSuggestion.objects.get(appeal=appeal)
    assert s.suggested_unit == routed.street_units[0]
    client.force_login(routed.user("dispatcher"))
    html = client.get(reverse("triage:panel", args=[appeal.pk])).content.decode()
    assert 'name="dispatch" value="1" data-key="a"' in html and "采纳建议并派单" in html

    response = client.post(
        reverse("triage:screen", args=[appeal.pk]),
        {**_accept_data(client, appeal), "dispatch": "1"},
    )

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISPATCHED
    assert appeal.lead_unit == routed.street_units[0]
    assert _events(appeal)[-2:] == [("screen", "dispatcher"), ("dispatch", "dispatcher")]
    assert response["Location"] == reverse("cases:appeal_detail", args=[following.pk])
    page = client.get(response["Location"]).content.decode()
    assert f"{appeal.tracking_number} 已甄别并派单至{routed.street_units[0].name}" in page


def test_a_suggested_duplicate_is_merged_in_one_click(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    first = _receive(routed, django_capture_on_commit_callbacks)
    again = _receive(routed, django_capture_on_commit_callbacks)
    s = TriageSuggestion.objects.get(appeal=again)
    assert [d["tracking_number"] for d in s.duplicates] == [first.tracking_number]
    client.force_login(routed.user("dispatcher"))
    html = client.get(reverse("triage:panel", args=[again.pk])).content.decode()
    assert f"合并到 {first.tracking_number}" in html and 'data-key="m"' in html
    start = html.index('class="merge-form"')
    fields = dict(
        re.findall(r'name="(\w+)" value="([^"]*)"', html[start : html.index("</form>", start)])
    )

    response = client.post(reverse("cases:appeal_act", args=[again.pk, "merge"]), fields)

    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == AppealStatus.MERGED and again.merged_into == first


def test_the_panels_pick_long_lists_by_typing(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    appeal = _receive(routed, django_capture_on_commit_callbacks)
    client.force_login(routed.user("dispatcher"))
    screen = client.get(reverse("triage:panel", args=[appeal.pk])).content.decode()
    assert (
        f'data-filter="#category-{appeal.pk}"' in screen and f'id="category-{appeal.pk}"' in screen
    )
    client.post(reverse("triage:screen", args=[appeal.pk]), _accept_data(client, appeal))
    dispatch = client.get(reverse("dispatch:panel", args=[appeal.pk])).content.decode()
    assert "按住 Ctrl" not in dispatch and 'type="checkbox" name="assist_units"' in dispatch
    assert f'data-filter="#assist-{appeal.pk}"' in dispatch


BULK = reverse("triage:bulk")


def _confirm_fields(html: str) -> list[tuple[str, str]]:
    """The hidden fields of the confirmation form, in order (appeals repeat)."""
    return re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html)


def test_bulk_marks_invalid_after_a_confirmation(client, routed):
    appeals = [appeal_new(routed, title=f"广告{n}") for n in range(3)]
    client.force_login(routed.user("dispatcher"))
    queue = client.get(reverse("dispatch:screening")).content.decode()
    assert 'form="bulk-form"' in queue and "下一步：确认" in queue

    ticked = {"action": "invalid", "reason": "广告信息", "appeals": [a.pk for a in appeals[:2]]}
    confirm = client.post(BULK, ticked)

    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "确认批量标记无效（2 件）" in page and appeals[2].tracking_number not in page
    assert set(Appeal.objects.values_list("status", flat=True)) == {AppealStatus.RECEIVED}
    fields = _confirm_fields(page)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    done = client.post(BULK, data, follow=True)
    assert "已标记无效 2 件" in done.content.decode()
    statuses = {a.pk: Appeal.objects.get(pk=a.pk).status for a in appeals}
    assert statuses == {
        appeals[0].pk: AppealStatus.INVALID,
        appeals[1].pk: AppealStatus.INVALID,
        appeals[2].pk: AppealStatus.RECEIVED,
    }


def test_bulk_accepts_suggestions_and_lists_what_it_could_not_do(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    good = _receive(routed, django_capture_on_commit_callbacks)
    changed = _receive(routed, django_capture_on_commit_callbacks)
    client.force_login(routed.user("dispatcher"))
    page = client.post(
        BULK, {"action": "accept", "appeals": [good.pk, changed.pk]}
    ).content.decode()
    assert f"主办 {routed.street_units[0].name}" in page
    data: dict[str, list[str]] = {}
    for name, value in _confirm_fields(page):
        data.setdefault(name, []).append(value)
    # Someone screens one of them meanwhile: its confirmed version is stale.
    client.post(reverse("triage:screen", args=[changed.pk]), _accept_data(client, changed))

    done = client.post(BULK, data, follow=True).content.decode()

    good.refresh_from_db()
    assert good.status == AppealStatus.DISPATCHED and good.lead_unit == routed.street_units[0]
    assert Appeal.objects.get(pk=changed.pk).status == AppealStatus.SCREENED
    assert "已采纳建议并派单 1 件" in done
    assert "1 件已不在待甄别队列" in done  # screened meanwhile: left as it is, and said so


def test_bulk_is_the_dispatchers_and_refuses_without_what_it_needs(client, routed):
    appeal = appeal_new(routed)
    client.force_login(routed.user("handler"))
    assert (
        client.post(BULK, {"action": "invalid", "reason": "x", "appeals": [appeal.pk]}).status_code
        == 404
    )
    client.force_login(routed.user("dispatcher"))
    assert client.post(BULK, {"action": "invalid", "appeals": [appeal.pk]}).status_code == 400
    assert client.post(BULK, {"action": "merge", "appeals": [appeal.pk]}).status_code == 400
    assert client.post(BULK, {"action": "invalid", "reason": "x"}).status_code == 400
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RECEIVED


def _return(d, appeal: Appeal) -> Appeal:
    from minxin.cases.services import appeal_act

    appeal.refresh_from_db()
    appeal_act(
        appeal_id=appeal.pk,
        action=Action.RETURN,
        actor=Actor.of(d.user("handler")),
        expected_version=appeal.version,
        reason="不属于本单位职责",
    )
    return Appeal.objects.get(pk=appeal.pk)


def test_a_rules_decisions_are_recorded_and_their_corrections_counted(
    client, routed, installed_model, django_capture_on_commit_callbacks
):
    from minxin.cases.services import appeal_act, appeal_dispatch
    from minxin.triage.models import AutoDispatchDecision
    from minxin.triage.selectors import auto_dispatch_rule_records

    rule = AutoDispatchRule.objects.create(
        category=routed.category_top, min_confidence=Decimal("0.10")
    )
    kept, pending, moved = (
        _receive(routed, django_capture_on_commit_callbacks, title=t, content=c)
        for t, c in (
            (GARBAGE["title"], GARBAGE["content"]),
            (
                "小区停水三天无人管",
                "芙蓉路景苑小区自来水停水三天，物业和自来水公司都没有说明原因。",
            ),
            (
                "物业乱收停车费",
                "银杉小区物业公司擅自上调停车费，每月多收两百元，业主多次反映无果。",
            ),
        )
    )
    decisions = AutoDispatchDecision.objects.order_by("appeal_id")
    assert [(x.appeal_id, x.rule_id, x.unit_id) for x in decisions] == [
        (a.pk, rule.pk, routed.street_units[0].pk) for a in (kept, pending, moved)
    ]
    assert all(
        x.category_id == a.category_id
        for x, a in zip(decisions, (kept, pending, moved), strict=True)
    )
    [record] = auto_dispatch_rule_records()
    assert (record.decided, record.corrected) == (3, 0)

    # A return not yet handled is not a correction; one re-dispatched elsewhere is.
    _return(routed, pending)
    moved = _return(routed, moved)
    appeal_dispatch(
        appeal_id=moved.pk,
        actor=Actor.of(routed.user("dispatcher")),
        expected_version=moved.version,
        lead_unit_id=routed.street_units[1].pk,
    )
    [record] = auto_dispatch_rule_records()
    assert (record.decided, record.corrected, record.corrected_percent) == (3, 1, "33.3%")

    # Found invalid after the return: corrected too.
    pending.refresh_from_db()
    appeal_act(
        appeal_id=pending.pk,
        action=Action.MARK_INVALID,
        actor=Actor.of(routed.user("dispatcher")),
        expected_version=pending.version,
        reason="广告",
    )
    [record] = auto_dispatch_rule_records()
    assert (record.decided, record.corrected) == (3, 2)

    # The screening queue loads the rules' record for a dispatcher, not for a handler.
    client.force_login(routed.user("dispatcher"))
    page = client.get(reverse("dispatch:screening")).content.decode()
    assert reverse("triage:rules") in page
    html = client.get(reverse("triage:rules")).content.decode()
    row = re.search(rf'<tr data-rule="{rule.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row[1], re.S)]
    assert cells[4].startswith("3") and cells[5:] == ["2", "66.7%"]
    client.force_login(routed.user("handler"))
    assert client.get(reverse("triage:rules")).status_code in (403, 404)


def test_the_rules_record_is_empty_without_rules(client, routed):
    client.force_login(routed.user("dispatcher"))
    response = client.get(reverse("triage:rules"))
    assert response.status_code == 200 and b"auto-dispatch-rules" not in response.content


def test_a_suggestion_records_the_model_version_that_made_it(
    routed, installed_model, django_capture_on_commit_callbacks
):
    from minxin.triage.models import ModelStatus, ModelVersion

    before = _receive(routed, django_capture_on_commit_callbacks)
    assert TriageSuggestion.objects.get(appeal=before).model_version is None  # none trained yet
    ModelVersion.objects.create(status=ModelStatus.RETIRED, macro_f1=0.9)
    in_use = ModelVersion.objects.create(status=ModelStatus.ACTIVE, macro_f1=0.8)
    appeal = _receive(routed, django_capture_on_commit_callbacks, **ADVERT)
    assert TriageSuggestion.objects.get(appeal=appeal).model_version == in_use
