"""未诉先办 screens: who sees what (a handler only the unit's tasks, another unit's is 404),
proposing from a hotspot's appeal with the form filled in, bad input refused in Chinese with
what was typed kept, the unit's buttons, a stale form refused, and text escaped."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.cases.workflow import AppealStatus
from minxin.proactive.models import ProactiveTask
from minxin.proactive.services import TaskDraft, proactive_task_propose
from minxin.proactive.workflow import TaskStatus
from tests.builders import District, appeal_in, appeal_new

LIST = reverse("proactive:task_list")
NEW = reverse("proactive:task_propose")


def client_for(d: District, key: str) -> Client:
    client = Client()
    client.force_login(d.user(key))
    return client


def task_for(d: District, title: str = "入夏前排查垃圾清运点位") -> ProactiveTask:
    draft = TaskDraft(
        title=title,
        content="增加清运频次",
        unit_id=d.street_units[0].pk,
        due_at=timezone.now() + timedelta(days=14),
        category_id=d.category.pk,
        region_id=d.communities[0].pk,
    )
    return proactive_task_propose(actor=d.user("supervisor"), draft=draft)


def detail(task: ProactiveTask) -> str:
    return reverse("proactive:task_detail", args=[task.pk])


def act_url(task: ProactiveTask) -> str:
    return reverse("proactive:task_act", args=[task.pk])


def test_the_list_is_scoped_and_closed_to_roles_without_tasks(district):
    task = task_for(district)
    page = client_for(district, "handler").get(LIST)
    assert page.status_code == 200 and task.title in page.content.decode()
    other = client_for(district, "handler_other")
    assert task.title not in other.get(LIST).content.decode()
    assert other.get(detail(task)).status_code == 404
    assert client_for(district, "call_taker").get(LIST).status_code == 404
    assert client_for(district, "handler").get(NEW).status_code == 404


def test_a_hotspot_is_proposed_from_the_form_filled_in_from_its_appeal(district):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    supervisor = client_for(district, "supervisor")
    form = supervisor.get(NEW, {"appeal": appeal.pk, "source": "hotspot"}).content.decode()
    assert appeal.tracking_number in form
    assert f'<option value="{district.street_units[0].pk}" selected' in form
    # Refused for a missing name, the form keeps its tie to the appeal.
    refused = supervisor.post(
        NEW, {"title": "", "content": "x", "source": "hotspot", "appeal": appeal.pk}
    )
    assert refused.status_code == 400
    assert f'name="appeal" value="{appeal.pk}"' in refused.content.decode()
    response = supervisor.post(
        NEW,
        {
            "title": "景蓉华苑垃圾清运",
            "content": "入夏前增加清运频次",
            "unit": district.street_units[0].pk,
            "category": appeal.category_id,
            "region": appeal.region_id,
            "due": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "source": "hotspot",
            "appeal": appeal.pk,
        },
    )
    task = ProactiveTask.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(task)
    assert (task.source, task.source_appeal_id) == ("hotspot", appeal.pk)


def test_bad_input_is_refused_with_what_was_typed_kept(district):
    supervisor = client_for(district, "supervisor")
    response = supervisor.post(
        NEW, {"title": "我写的名称", "content": "", "unit": district.street_units[0].pk}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写任务内容" in body and "我写的名称" in body
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = supervisor.post(
        NEW,
        {"title": "名称", "content": "内容", "unit": district.street_units[0].pk, "due": past},
    )
    assert response.status_code == 400 and "完成期限应晚于当前时间" in response.content.decode()
    # An appeal the proposer may not see is as good as missing.
    response = supervisor.post(
        NEW,
        {
            "title": "名称",
            "content": "内容",
            "unit": district.street_units[0].pk,
            "due": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "source": "hotspot",
            "appeal": 999999,
        },
    )
    assert response.status_code == 404
    assert ProactiveTask.objects.count() == 0


def test_the_unit_acts_from_its_buttons_and_a_stale_form_is_refused(district):
    task = task_for(district)
    handler = client_for(district, "handler")
    page = handler.get(detail(task)).content.decode()
    assert 'data-action="accept"' in page and 'data-action="decline"' in page
    assert (
        'data-action="accept"'
        not in client_for(district, "supervisor").get(detail(task)).content.decode()
    )
    response = handler.post(act_url(task), {"action": "accept", "version": task.version})
    assert response.status_code == 302
    stale = handler.post(act_url(task), {"action": "note", "reason": "进展", "version": 1})
    assert stale.status_code == 409 and "已被他人更新" in stale.content.decode()
    response = handler.post(
        act_url(task), {"action": "complete", "reason": "已增设垃圾桶", "version": 2}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    page = handler.get(detail(task)).content.decode()
    assert "已增设垃圾桶" in page and "data-effect" in page
    assert handler.post(act_url(task), {"action": "nonsense"}).status_code == 400
    other = client_for(district, "handler_other")
    assert other.post(act_url(task), {"action": "note", "reason": "x"}).status_code == 404


def test_text_is_escaped(district):
    task = task_for(district, title="<script>alert(1)</script>")
    for key in ("supervisor", "handler"):
        client = client_for(district, key)
        for url in (LIST, detail(task)):
            body = client.get(url).content.decode()
            assert "<script>alert(1)</script>" not in body
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_dashboards_hotspot_proposes_a_task(district):
    from minxin.accounts.actor import Actor
    from minxin.cases.services import appeal_merge
    from tests.builders import appeal_new

    first = appeal_new(district, title="望月湖小区停车位捆绑销售")
    again = appeal_new(district, title="望月湖小区强制买车位", appellant_phone="13912345678")
    appeal_merge(
        appeal_id=again.pk,
        actor=Actor.of(district.user("dispatcher")),
        expected_version=None,
        into_tracking_number=first.tracking_number,
    )
    html = client_for(district, "supervisor").get(reverse("metrics:dashboard")).content.decode()
    link = f"{NEW}?appeal={first.pk}&source=hotspot"
    assert link in html.replace("&amp;", "&")
    form = client_for(district, "dispatcher").get(link)
    assert form.status_code == 200 and "合并的1件诉求" in form.content.decode()


def test_a_seasonal_rise_a_year_ago_is_suggested_and_proposed(district):
    import time_machine
    from django.core.cache import cache

    from minxin.proactive.selectors import seasonal_suggestions

    tz = timezone.get_current_timezone()
    for month in range(1, 13):
        with time_machine.travel(timezone.datetime(2024, month, 3, 10, tzinfo=tz), tick=False):
            appeal_new(
                district, category_id=district.category.pk, region_id=district.communities[0].pk
            )
    for day in range(5, 10):
        with time_machine.travel(timezone.datetime(2024, 7, day, 10, tzinfo=tz), tick=False):
            appeal_in(district, AppealStatus.DISPATCHED)  # street 0 leads, the leaf category
    cache.clear()
    with time_machine.travel(timezone.datetime(2025, 7, 1, 9, tzinfo=tz), tick=False):
        (suggestion,) = seasonal_suggestions()
        assert suggestion.category == district.category_top
        assert suggestion.region == district.streets[0]
        assert (suggestion.target, suggestion.last_year) == ((2025, 7), 6)
        assert suggestion.unit == district.street_units[0]
        supervisor = client_for(district, "supervisor")
        page = supervisor.get(LIST).content.decode()
        assert "data-seasonal" in page and "去年7月 6 件" in page
        form = supervisor.get(
            NEW,
            {
                "source": "seasonal",
                "category": district.category_top.pk,
                "region": district.streets[0].pk,
            },
        ).content.decode()
        assert "去年7月" in form and 'name="source" value="seasonal"' in form
        response = supervisor.post(
            NEW,
            {
                "title": "桂花坪街道城乡建设类问题7月前主动排查",
                "content": "去年7月明显上升，提前排查",
                "unit": district.street_units[0].pk,
                "category": district.category_top.pk,
                "region": district.streets[0].pk,
                "due": "2025-07-20",
                "source": "seasonal",
            },
        )
        assert response.status_code == 302
        assert ProactiveTask.objects.get().source == "seasonal"
        # A handler sees no suggestions (they are the office's to make).
        assert "data-seasonal" not in client_for(district, "handler").get(LIST).content.decode()
