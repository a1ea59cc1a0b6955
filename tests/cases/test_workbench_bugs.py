"""Issue 14's bugs on the staff side, each seen by a user: a return that lands on a dead end,
the 临期 tile that opened every open appeal, an error page without the staff bar."""

import uuid

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import Action, AppealStatus
from minxin.supervision.models import Clock, DeadlineWarning, WarningLevel
from tests.builders import appeal_in


def test_a_return_lands_on_the_unit_queue_with_its_message(client, district):
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    client.force_login(district.user("handler"))

    response = client.post(
        reverse("cases:appeal_act", args=[appeal.pk, Action.RETURN]),
        {"version": appeal.version, "reason": "不属于本街道管辖"},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("cases:unit_queue")
    page = response.content.decode()
    assert "已退单" in page and appeal.tracking_number in page
    assert "未找到该诉求或无权查看" not in page
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RETURNED


def test_an_appeal_out_of_scope_keeps_the_staff_bar(client, district):
    appeal = appeal_in(district, AppealStatus.RETURNED)
    client.force_login(district.user("handler"))

    response = client.get(reverse("cases:appeal_detail", args=[appeal.pk]))

    assert response.status_code == 404
    page = response.content.decode()
    assert "未找到该诉求或无权查看" in page
    assert 'class="topbar"' in page and reverse("cases:unit_queue") in page


def test_an_error_page_for_a_citizen_has_no_staff_bar(client, district):
    response = client.get(reverse("cases:appeal_detail", args=[1]))  # not logged in: login
    assert response.status_code == 302
    page = client.get(reverse("citizen:photo", args=["2099010100001", 1])).content.decode()
    assert 'class="topbar"' not in page


def _warn(appeal: Appeal, *, clock: str = Clock.RESOLVE) -> None:
    due = appeal.resolve_due if clock == Clock.RESOLVE else appeal.first_contact_due
    assert due is not None
    DeadlineWarning.objects.create(
        appeal=appeal,
        clock=clock,
        level=WarningLevel.YELLOW,
        due=due,
        share_used=0.8,
        run=uuid.uuid4(),
    )


def test_the_near_tile_opens_exactly_the_appeals_it_counts(client, district):
    near = [appeal_in(district, AppealStatus.IN_PROGRESS) for _ in range(2)]
    calm = appeal_in(district, AppealStatus.IN_PROGRESS)
    stale = appeal_in(district, AppealStatus.IN_PROGRESS)
    for appeal in near:
        _warn(appeal)
    # A yellow warning for a deadline the appeal no longer has (extended since) does not count.
    DeadlineWarning.objects.create(
        appeal=stale,
        clock=Clock.RESOLVE,
        level=WarningLevel.YELLOW,
        due=timezone.now() - timezone.timedelta(days=30),
        share_used=0.8,
        run=uuid.uuid4(),
    )
    cache.clear()
    client.force_login(district.user("supervisor"))

    dashboard = client.get(reverse("metrics:dashboard"))
    tile = next(t for t in dashboard.context["tiles"] if t["label"] == "临期")
    listed = client.get(tile["url"])

    assert tile["value"] == 2
    shown = {row["appeal"].pk for row in listed.context["rows"]}
    assert shown == {a.pk for a in near}
    assert calm.pk not in shown and stale.pk not in shown
    assert dashboard.context["data"]["sla"]["urls"]["near"] == tile["url"]


def test_the_list_sorts_by_received_time_or_by_deadline(client, district):
    first = appeal_in(district, AppealStatus.IN_PROGRESS)
    second = appeal_in(district, AppealStatus.IN_PROGRESS)
    Appeal.objects.filter(pk=first.pk).update(
        resolve_due=timezone.now() + timezone.timedelta(days=9)
    )
    Appeal.objects.filter(pk=second.pk).update(
        resolve_due=timezone.now() + timezone.timedelta(days=2)
    )
    waiting = appeal_in(district, AppealStatus.RECEIVED)  # no deadline yet: last by deadline
    client.force_login(district.user("supervisor"))

    def order(sort: str) -> list[int]:
        response = client.get(reverse("cases:appeal_list"), {"sort": sort})
        return [row["appeal"].pk for row in response.context["rows"]]

    assert order("") == [waiting.pk, second.pk, first.pk]
    assert order("received") == [first.pk, second.pk, waiting.pk]
    assert order("due") == [second.pk, first.pk, waiting.pk]
    assert order("nonsense") == order("")  # refused by the form: the default order
