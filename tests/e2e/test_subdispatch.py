"""二级派单 in a browser: the street's handler passes an appeal down to 景蓉社区 with a deadline
inside the appeal's own (a deadline after it is refused beside the form); the community's
handler, on a phone, finds it in its queue, cannot answer the citizen, and reports back; the
street sees the report on its sub-task page and on the appeal, and replies to the citizen.

Screenshots at 1366 and 390 px: subdispatch-form (the street's form), subdispatch-queue (the
community's queue), subdispatch-report (the community's appeal page with its report form),
subdispatch-tasks (the street's 下派任务), subdispatch-replied (the street's appeal page after
the reply)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from minxin.cases.models import Appeal, SubAssignment, SubAssignmentStatus
from minxin.cases.workflow import AppealStatus
from tests.builders import District, appeal_in, communities_build

from .conftest import DESKTOP, PHONE, action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def _local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def _both(page: Page, name: str, *, phone_first: bool = False) -> None:
    """The screen at both widths (the same page, resized)."""
    sizes = [("390", PHONE), ("1366", DESKTOP)]
    for suffix, size in sizes if phone_first else reversed(sizes):
        page.set_viewport_size(size)
        snap(page, f"{name}-{suffix}")


def test_a_street_passes_an_appeal_down_and_answers_after_the_report(
    new_page, live_district: District
):
    d = live_district
    communities = communities_build(d)
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    appeal_url = reverse("cases:appeal_detail", args=[appeal.pk])
    due = appeal.resolve_due
    assert due is not None

    street = new_page()
    login(street, "handler", "pw-handler")
    street.goto(appeal_url)
    form = action_open(street, "sub_dispatch")
    options = form.locator("select[name=sub_unit] option")
    expect(options).to_have_count(3)  # 请选择, the community and its grid; not the other street's
    expect(form.locator("select[name=sub_unit]")).not_to_contain_text(communities[1].name)
    form.locator("select[name=sub_unit]").select_option(label=communities[0].name)
    form.locator("input[name=sub_due]").evaluate("i => i.removeAttribute('max')")
    form.locator("input[name=sub_due]").fill(_local(due + timedelta(days=1)))
    form.locator("textarea[name=reason]").fill("请社区入户核实垃圾堆放点，督促物业清运，拍照反馈。")
    form.get_by_role("button", name="下派社区/网格").click()
    expect(street.get_by_role("alert")).to_contain_text("下派时限不能晚于诉求的办结时限")
    form = action_open(street, "sub_dispatch")
    halfway = timezone.now() + (due - timezone.now()) / 2
    form.locator("select[name=sub_unit]").select_option(label=communities[0].name)
    form.locator("input[name=sub_due]").fill(_local(halfway))
    _both(street, "subdispatch-form")
    form.get_by_role("button", name="下派社区/网格").click()
    expect(street.locator("#sub-assignments")).to_contain_text("待反馈")
    expect(street.locator("li[data-action=sub_dispatch]")).to_contain_text("下派至：景蓉社区居委会")
    sub = SubAssignment.objects.get(appeal=appeal)
    assert sub.status == SubAssignmentStatus.PENDING and sub.due_at <= due

    community = new_page(phone=True)
    login(community, "handler_community", "pw-handler_community")
    community.goto(reverse("cases:unit_queue"))
    expect(community.locator("[data-sub]")).to_contain_text("街道下派 · 请于")
    _both(community, "subdispatch-queue", phone_first=True)
    community.get_by_role("link", name=appeal.title).click()
    expect(community.locator("details[data-action=resolve]")).to_have_count(0)
    expect(community.locator("details[data-action=return]")).to_have_count(0)
    report = action_open(community, "sub_report")
    report.locator("textarea[name=reason]").fill(
        "已会同物业上门核实：3栋北侧堆放点已清运完毕，新增垃圾桶两个，物业承诺每日清运。"
    )
    _both(community, "subdispatch-report", phone_first=True)
    report.get_by_role("button", name="反馈办理情况").click()
    expect(community.locator("#sub-assignments")).to_contain_text("已反馈")
    expect(community.locator("details[data-action=sub_report]")).to_have_count(0)
    # The reply is the street's: posting it by hand is refused in Chinese.
    status = community.evaluate(
        """async ([url, version]) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]');
            const body = new URLSearchParams({version, reason: '社区直接答复',
                csrfmiddlewaretoken: token ? token.value : ''});
            const r = await fetch(url, {method: 'POST', body, credentials: 'same-origin',
                headers: {'X-CSRFToken': document.cookie.replace(/.*csrftoken=([^;]*).*/, '$1')}});
            return [r.status, await r.text()];
        }""",
        [
            reverse("cases:appeal_act", args=[appeal.pk, "resolve"]),
            str(Appeal.objects.get(pk=appeal.pk).version),
        ],
    )
    assert status[0] == 403 and "只有主办单位可以办结答复" in status[1]

    street.goto(reverse("cases:sub_tasks") + "?tab=all")
    row = street.locator("#sub-tasks tr[data-sub=reported]")
    expect(row).to_contain_text("景蓉社区居委会")
    expect(row).to_contain_text("已会同物业上门核实")
    _both(street, "subdispatch-tasks")
    row.get_by_role("link", name=appeal.title).click()
    reply = action_open(street, "resolve")
    reply.locator("textarea[name=reason]").fill(
        "您好，经桂花坪街道会同景蓉社区和物业现场核实，景蓉华苑3栋北侧的垃圾堆放点已于今日清运完毕，"
        "新增垃圾桶两个，物业承诺每日清运。如再有堆放，可拨打社区电话反映。感谢您的监督。"
    )
    reply.get_by_role("button", name="办结答复").click()
    expect(street.locator(".badge").first).to_contain_text("已办结待评价")
    expect(street.locator("#sub-assignments")).to_contain_text("已反馈")
    _both(street, "subdispatch-replied")
    done = Appeal.objects.get(pk=appeal.pk)
    assert done.status == AppealStatus.RESOLVED
    assert done.lead_unit_id == d.street_units[0].pk
    assert done.replies.get().unit_id == d.street_units[0].pk
