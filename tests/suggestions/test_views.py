import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.suggestions import services
from minxin.suggestions.models import Suggestion, SuggestionEvent
from minxin.suggestions.workflow import SuggestionAction, SuggestionStatus

from .conftest import suggestion_new, under_review

SUBMIT = reverse("suggestions:submit")
TRACK = reverse("suggestions:track")
REVIEW = reverse("suggestions:review_list")
PANEL = reverse("suggestions:dashboard_panel")
XSS = '<script>alert("x")</script>'


def fresh_key(client: Client) -> str:
    page = client.get(SUBMIT).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', page).group(1)


def form(**overrides: str) -> dict[str, str]:
    values = {
        "field": "environment",
        "title": "在湘江边增设饮水点",
        "content": "夏天沿江散步的人很多，没有饮水点，建议每隔一公里设置一个直饮水点。",
        "proposer_name": "李四",
        "proposer_phone": "13712345678",
    }
    values.update(overrides)
    return values


def staff(client: Client, district, key: str) -> Client:
    client.force_login(district.user(key))
    return client


# --- citizen pages ------------------------------------------------------------------------


def test_submit_shows_a_receipt_and_keeps_code_and_phone_out_of_urls(client, db):
    response = client.post(SUBMIT, form(submission_key=fresh_key(client)))
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:receipt")
    s = Suggestion.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert s.tracking_number in page and s.query_code in page
    assert "短信告知" in page
    track_url = reverse("suggestions:track_detail", args=[s.tracking_number])
    assert s.query_code not in track_url
    detail = client.get(track_url)  # the submitting browser holds the grant
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "在湘江边增设饮水点" in body and "137****5678" in body and "13712345678" not in body


def test_same_key_twice_gives_one_suggestion(client, db):
    key = fresh_key(client)
    client.post(SUBMIT, form(submission_key=key))
    client.post(SUBMIT, form(submission_key=key))
    assert Suggestion.objects.count() == 1


def test_bad_input_is_refused_with_400_and_kept(client, db):
    response = client.post(SUBMIT, form(content="太短", submission_key=fresh_key(client)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "建议内容请至少写10个字" in page
    assert "在湘江边增设饮水点" in page  # what was typed is kept
    assert not Suggestion.objects.exists()


def test_the_eleventh_submit_in_an_hour_is_refused(client, db, settings, rate_limits):
    for n in range(10):
        response = client.post(SUBMIT, form(title=f"第{n}条", submission_key=fresh_key(client)))
        assert response.status_code == 302
    response = client.post(SUBMIT, form(title="第11条", submission_key=fresh_key(client)))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Suggestion.objects.count() == 10


def test_track_with_number_and_code_and_the_same_404_otherwise(client, db):
    s = suggestion_new()
    other = Client()
    unknown = other.post(TRACK, {"tracking_number": "JY2099010100001", "query_code": "ABCDEF"})
    wrong = other.post(TRACK, {"tracking_number": s.tracking_number, "query_code": "ZZZZZZ"})
    assert unknown.status_code == wrong.status_code == 404
    assert "建议编号或查询码不正确" in wrong.content.decode()
    detail_url = reverse("suggestions:track_detail", args=[s.tracking_number])
    assert other.get(detail_url).status_code == 302  # no grant
    ok = other.post(
        TRACK, {"tracking_number": s.tracking_number.lower(), "query_code": s.query_code.lower()}
    )
    assert ok.status_code == 302 and ok["Location"] == detail_url
    assert other.get(detail_url).status_code == 200


def test_the_proposer_sees_each_outcome(client, district):
    s = under_review(district)
    client.post(TRACK, {"tracking_number": s.tracking_number, "query_code": s.query_code})
    url = reverse("suggestions:track_detail", args=[s.tracking_number])
    assert "审核中" in client.get(url).content.decode()
    services.suggestion_decline(
        suggestion_id=s.pk,
        actor=Actor.of(district.user("supervisor")),
        expected_version=s.version,
        reason="辖区已有同类设施",
    )
    page = client.get(url).content.decode()
    assert "未采纳" in page and "辖区已有同类设施" in page


def test_adopted_list_is_public_masked_and_escaped(client, district):
    s = under_review(
        district,
        title=f"建议{XSS}",
        content="我叫张三丰，电话13812345678，建议在社区增设老年食堂。",
        proposer_name="张三丰",
    )
    services.suggestion_adopt(
        suggestion_id=s.pk,
        action=SuggestionAction.REPORT,
        actor=Actor.of(district.user("supervisor")),
        expected_version=s.version,
        reason="报送市民政局",
    )
    declined = under_review(district, title="未采纳的建议")
    services.suggestion_decline(
        suggestion_id=declined.pk,
        actor=Actor.of(district.user("supervisor")),
        expected_version=declined.version,
        reason="不合适",
    )
    response = Client().get(reverse("suggestions:adopted"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;script&gt;" in page and XSS not in page
    assert "13812345678" not in page and "13912345678" not in page
    assert "张三丰" not in page and "张**" in page
    assert "报送市级" in page
    assert "未采纳的建议" not in page


def test_adopted_list_is_paginated(client, district):
    for n in range(12):
        s = under_review(district, title=f"建议{n}")
        services.suggestion_adopt(
            suggestion_id=s.pk,
            action=SuggestionAction.ENDORSE,
            actor=Actor.of(district.user("leader")),
            expected_version=s.version,
            reason="同意",
        )
    first = client.get(reverse("suggestions:adopted")).content.decode()
    second = client.get(reverse("suggestions:adopted") + "?page=2").content.decode()
    assert first.count("sg-item") == 10 and second.count("sg-item") == 2


# --- staff review -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("supervisor", 200),
        ("leader", 200),
        ("admin", 200),
        ("handler", 404),
        ("dispatcher", 404),
        ("call_taker", 404),
    ],
)
def test_review_pages_by_role(client, district, key, status):
    s = suggestion_new()
    staff(client, district, key)
    assert client.get(REVIEW).status_code == status
    assert client.get(reverse("suggestions:review_detail", args=[s.pk])).status_code == status
    act = client.post(
        reverse("suggestions:review_act", args=[s.pk, "review"]), {"version": s.version}
    )
    expected = 302 if key in ("supervisor", "admin") else (403 if status == 200 else 404)
    assert act.status_code == expected
    reviewed = Suggestion.objects.get(pk=s.pk).status == SuggestionStatus.UNDER_REVIEW
    assert reviewed == (expected == 302)


def test_anonymous_staff_pages_go_to_login(client, db):
    assert client.get(REVIEW).status_code == 302
    assert client.get(PANEL).status_code == 302


def test_review_queue_shows_open_ones_escaped_and_masked(client, district):
    s = suggestion_new(title=f"标题{XSS}")
    done = under_review(district, title="已处理的一条")
    services.suggestion_decline(
        suggestion_id=done.pk,
        actor=Actor.of(district.user("supervisor")),
        expected_version=done.version,
        reason="x",
    )
    page = staff(client, district, "supervisor").get(REVIEW).content.decode()
    assert s.tracking_number in page and "已处理的一条" not in page
    assert "&lt;script&gt;" in page and XSS not in page
    assert "139****5678" in page and "13912345678" not in page
    everything = client.get(REVIEW + "?status=").content.decode()
    assert "已处理的一条" in everything


def test_forward_through_the_page(client, district):
    s = under_review(district)
    staff(client, district, "supervisor")
    url = reverse("suggestions:review_detail", args=[s.pk])
    page = client.get(url).content.decode()
    assert 'data-action="forward"' in page and 'data-action="endorse"' not in page
    assert district.departments[0].name in page and district.hotline.name not in page
    missing = client.post(
        reverse("suggestions:review_act", args=[s.pk, "forward"]), {"version": s.version}
    )
    assert missing.status_code == 400
    assert "请选择承办的职能部门或街道" in missing.content.decode()
    response = client.post(
        reverse("suggestions:review_act", args=[s.pk, "forward"]),
        {"version": s.version, "unit_id": district.departments[1].pk, "reason": XSS},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == "adopted" and s.forward_unit == district.departments[1]
    page = client.get(url).content.decode()
    assert s.appeal.tracking_number in page
    assert reverse("cases:appeal_detail", args=[s.appeal.pk]) in page
    assert "&lt;script&gt;" in page and XSS not in page


def test_a_stale_form_gets_409(client, district):
    s = under_review(district)
    staff(client, district, "supervisor")
    response = client.post(
        reverse("suggestions:review_act", args=[s.pk, "decline"]),
        {"version": s.version - 1, "reason": "重复"},
    )
    assert response.status_code == 409
    assert "请刷新后重试" in response.content.decode()
    assert Suggestion.objects.get(pk=s.pk).status == SuggestionStatus.UNDER_REVIEW


def test_unknown_action_and_missing_suggestion_are_404(client, district):
    s = under_review(district)
    staff(client, district, "admin")
    assert (
        client.post(
            reverse("suggestions:review_act", args=[s.pk, "submit"]), {"version": 2}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("suggestions:review_act", args=[s.pk, "delete"]), {"version": 2}
        ).status_code
        == 404
    )
    assert client.get(reverse("suggestions:review_detail", args=[99999])).status_code == 404


def test_leader_endorses_from_the_page(client, district):
    s = under_review(district)
    staff(client, district, "leader")
    page = client.get(reverse("suggestions:review_detail", args=[s.pk])).content.decode()
    assert 'data-action="endorse"' in page and 'data-action="decline"' not in page
    response = client.post(
        reverse("suggestions:review_act", args=[s.pk, "endorse"]),
        {"version": s.version, "reason": "很好，请相关部门抓紧研究落实"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.status, s.adoption_level) == ("adopted", "endorsed")
    assert SuggestionEvent.objects.filter(suggestion=s, action="endorse").count() == 1


def test_nav_has_the_entries(client, district):
    page = staff(client, district, "supervisor").get(REVIEW).content.decode()
    assert "建议征集" in page and "走访记录" in page
    handler_page = staff(Client(), district, "handler").get(reverse("visits:list"))
    assert "建议征集" not in handler_page.content.decode()


# --- the dashboard's fragment --------------------------------------------------------------


def _decide(district, action, **kw):
    s = under_review(district, **kw)
    actor = Actor.of(district.user("leader" if action == SuggestionAction.ENDORSE else "admin"))
    common = {"suggestion_id": s.pk, "actor": actor, "expected_version": s.version}
    if action == SuggestionAction.FORWARD:
        return services.suggestion_forward(unit_id=district.departments[0].pk, **common)
    if action == SuggestionAction.DECLINE:
        return services.suggestion_decline(reason="不合适", **common)
    return services.suggestion_adopt(action=action, reason="同意", **common)


def _tile(page: str, label: str) -> tuple[int, str]:
    m = re.search(
        rf'href="([^"]+)" data-label="{label}"><span class="sv-tile-label">[^<]*</span>'
        r'<span class="sv-tile-value">(\d+)</span>',
        page,
    )
    assert m, label
    return int(m.group(2)), m.group(1).replace("&amp;", "&")


def test_dashboard_panel_counts_by_outcome_for_the_period(client, district):
    suggestion_new()
    under_review(district)
    _decide(district, SuggestionAction.FORWARD)
    _decide(district, SuggestionAction.FORWARD)
    _decide(district, SuggestionAction.REPORT)
    _decide(district, SuggestionAction.ENDORSE)
    _decide(district, SuggestionAction.DECLINE)
    old = suggestion_new(title="很久以前的建议")
    Suggestion.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=90))

    staff(client, district, "supervisor")
    today = timezone.localdate()
    period = f"?start={(today - timedelta(days=6)).isoformat()}&end={today.isoformat()}"
    response = client.get(PANEL + period, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page  # a fragment
    expected = {
        "收到建议": 7,
        "待处理": 2,
        "已采纳": 4,
        "其中转部门办理": 2,
        "其中报送市级": 1,
        "其中领导批示": 1,
        "未采纳": 1,
    }
    for label, count in expected.items():
        value, url = _tile(page, label)
        assert value == count, label
        # The link opens the review list filtered the same way, showing as many rows.
        listed = client.get(url).content.decode()
        assert listed.count('class="tn"') == count, (label, url)


def test_dashboard_panel_by_role_and_bad_dates(client, district):
    for key, status in (("leader", 200), ("admin", 200), ("handler", 404), ("dispatcher", 404)):
        c = staff(Client(), district, key)
        assert c.get(PANEL).status_code == status, key
    c = staff(Client(), district, "leader")
    response = c.get(PANEL + "?start=garbage&end=2020-13-45")
    assert response.status_code == 200  # falls back to the last 30 days
    assert "收到建议" in response.content.decode()
