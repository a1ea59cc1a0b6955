"""Who may reach which URL (adhocracy-plus style, role by role, from data).

- A unit with no assignment on an appeal gets the same 404 as for an appeal that does not
  exist, on every URL that names the appeal, and the appeal is untouched.
- Anonymous visitors are sent to the login page from every staff URL.
- Handlers get 404 on the dispatcher's and the call-taker's screens.
- Leaders see, never act.
- Lists and the appeal page show personal data masked.
"""

import io
import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from PIL import Image

from minxin.accounts.actor import Actor
from minxin.cases.models import Appeal, AppealEvent, Assignment, Attachment, Extension, Reply
from minxin.cases.services import extension_request
from minxin.cases.workflow import TRANSITIONS, Action, AppealStatus
from minxin.feedback.models import Rating
from tests.builders import appeal_in, appeal_new, communities_build, other_district_build

STATUSES = list(AppealStatus)
STAFF_NAMESPACES = ("cases", "intake", "dispatch", "triage", "feedback")
# Views that accept POST only: a GET answers 405 whatever the appeal (nothing to probe).
POST_ONLY = {
    "cases:appeal_act",
    "triage:screen",
    "dispatch:dispatch",
    "feedback:rate",
    "intake:caller_history",
    "cases:revisit",
    "review:check",
}
MISSING_ID = 987654321
TITLE = "小区垃圾无人清运"  # the builders' title
PHONE, MASKED_PHONE, NAME = "13812345678", "138****5678", "张三"  # the builders' appellant


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _photo(appeal: Appeal) -> Attachment:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    upload = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
    return Attachment.objects.create(
        appeal=appeal, file=upload, content_type="image/png", size=len(buffer.getvalue())
    )


def _state(appeal_id: int) -> tuple[object, ...]:
    appeal = Appeal.objects.get(pk=appeal_id)
    return (
        appeal.status,
        appeal.version,
        appeal.updated_at,
        appeal.lead_unit_id,
        appeal.satisfaction,
        AppealEvent.objects.filter(appeal_id=appeal_id).count(),
        Assignment.objects.filter(appeal_id=appeal_id, is_active=True).count(),
        Reply.objects.filter(appeal_id=appeal_id).count(),
        Extension.objects.filter(appeal_id=appeal_id).count(),
        Rating.objects.filter(appeal_id=appeal_id).count(),
    )


def _post_data(district, appeal: Appeal, into: Appeal) -> dict[str, object]:
    """Everything any of the forms asks for, filled in validly: only scope may stop it."""
    return {
        "version": appeal.version,
        "reason": "测试说明",
        "days": 3,
        "into_tracking_number": into.tracking_number,
        "satisfaction": "satisfied",
        "comment": "",
        "lead_unit": district.street_units[1].pk,
        "category": district.category.pk,
        "urgency": "normal",
        "kind": "complaint",
    }


def _appeal_urls(appeal_id: int, attachment_id: int) -> Iterator[tuple[str, str]]:
    """(name, url) of every staff URL that names an appeal."""
    yield "cases:appeal_detail", reverse("cases:appeal_detail", args=[appeal_id])
    for action in Action:
        yield "cases:appeal_act", reverse("cases:appeal_act", args=[appeal_id, action.value])
    yield "cases:attachment", reverse("cases:attachment", args=[appeal_id, attachment_id])
    for name in (
        "dispatch:panel",
        "triage:panel",
        "triage:screen",
        "dispatch:dispatch",
        "feedback:panel",
        "feedback:rate",
        "cases:revisit",
        "review:panel",
        "review:check",
    ):
        yield name, reverse(name, args=[appeal_id])


def _staff_patterns() -> Iterator[tuple[str, set[str]]]:
    """Every staff URL name with the parameters of its whole path (a pattern nested in an
    `include` has part of them in the enclosing prefix)."""

    def walk(patterns, namespace: str | None, params: set[str]) -> Iterator[tuple[str, set[str]]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(
                    p.url_patterns, p.namespace or namespace, params | set(p.pattern.converters)
                )
            elif namespace in STAFF_NAMESPACES and p.name:
                yield f"{namespace}:{p.name}", params | set(p.pattern.converters)

    yield from walk(get_resolver().url_patterns, None, set())


def _staff_urls(appeal_id: int, attachment_id: int) -> dict[str, str]:
    values = {
        "appeal_id": appeal_id,
        "attachment_id": attachment_id,
        "action": "accept",
        "filter_id": 1,  # a dispatcher's saved filter of the screening queue
    }
    urls = {}
    for name, params in _staff_patterns():
        urls[name] = reverse(name, kwargs={k: values[k] for k in params})
    return urls


# --- scope: a unit that is not assigned sees nothing ----------------------------------------


@pytest.mark.parametrize("status", STATUSES, ids=str)
def test_an_unassigned_unit_gets_404_on_every_url_of_the_appeal(client, district, status):
    appeal = appeal_in(district, status)
    photo = _photo(appeal)
    into = appeal_new(district, title="另一件事")
    before = _state(appeal.pk)
    data = _post_data(district, appeal, into)
    client.force_login(district.user("handler_other"))
    failures = []
    for name, url in _appeal_urls(appeal.pk, photo.pk):
        for method in ("get", "post"):
            expected = 405 if method == "get" and name in POST_ONLY else 404
            response = getattr(client, method)(url, data if method == "post" else None)
            body = b"".join(response) if response.streaming else response.content
            if response.status_code != expected:
                failures.append(f"{method.upper()} {url}: {response.status_code} != {expected}")
            if TITLE.encode() in body or appeal.tracking_number.encode() in body:
                failures.append(f"{method.upper()} {url}: shows the appeal")
    assert not failures, "\n".join(failures)
    assert _state(appeal.pk) == before


@pytest.mark.parametrize("who", ["handler_other", "dispatcher", "supervisor"])
def test_a_missing_appeal_answers_exactly_like_a_hidden_one(client, district, who):
    """Same codes as above for an id that does not exist: scope cannot be probed."""
    appeal = appeal_new(district)
    client.force_login(district.user(who))
    failures = []
    for name, url in _appeal_urls(MISSING_ID, MISSING_ID):
        for method in ("get", "post"):
            expected = 405 if method == "get" and name in POST_ONLY else 404
            code = getattr(client, method)(url, _post_data(district, appeal, appeal)).status_code
            if code != expected:
                failures.append(f"{method.upper()} {url}: {code} != {expected}")
    assert not failures, "\n".join(failures)


ASSIGNED = [
    AppealStatus.DISPATCHED,
    AppealStatus.ACCEPTED,
    AppealStatus.IN_PROGRESS,
    AppealStatus.SUSPENDED,
    AppealStatus.RESOLVED,
    AppealStatus.RATED,
    AppealStatus.FOLLOW_UP,
    AppealStatus.ARCHIVED,
]


@pytest.mark.parametrize("who", ["handler", "handler_dept"])
@pytest.mark.parametrize("status", ASSIGNED, ids=str)
def test_the_assigned_units_do_see_it(client, district, status, who):
    """The control for the test above: the same URLs answer the units that are assigned."""
    appeal = appeal_in(district, status)
    photo = _photo(appeal)
    client.force_login(district.user(who))
    detail = client.get(reverse("cases:appeal_detail", args=[appeal.pk]))
    assert detail.status_code == 200
    assert TITLE in detail.content.decode()
    assert client.get(reverse("feedback:panel", args=[appeal.pk])).status_code == 200
    served = client.get(reverse("cases:attachment", args=[appeal.pk, photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


# --- 二级派单: a community sees only what its street passed down to it --------------------


@pytest.mark.parametrize("status", STATUSES, ids=str)
def test_a_community_gets_404_on_every_url_of_an_appeal_not_passed_down_to_it(
    client, district, status
):
    """Its own street's appeals included: the street leads them, the community is not in it
    until the street passes one down."""
    communities_build(district)
    appeal = appeal_in(district, status)
    photo = _photo(appeal)
    into = appeal_new(district, title="另一件事")
    before = _state(appeal.pk)
    data = _post_data(district, appeal, into)
    failures = []
    for who in ("handler_community", "handler_community_other"):
        client.force_login(district.user(who))
        for name, url in _appeal_urls(appeal.pk, photo.pk):
            for method in ("get", "post"):
                expected = 405 if method == "get" and name in POST_ONLY else 404
                response = getattr(client, method)(url, data if method == "post" else None)
                if response.status_code != expected:
                    failures.append(f"{who} {method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert _state(appeal.pk) == before


@pytest.mark.parametrize(
    "status", [AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS, AppealStatus.SUSPENDED], ids=str
)
def test_the_community_it_was_passed_down_to_sees_it_and_may_not_answer(client, district, status):
    community = communities_build(district)[0]
    appeal = appeal_in(district, status, sub=community)
    photo = _photo(appeal)
    client.force_login(district.user("handler_community"))
    detail = client.get(reverse("cases:appeal_detail", args=[appeal.pk]))
    assert detail.status_code == 200 and TITLE in detail.content.decode()
    _assert_masked(detail.content.decode(), "detail as the community")
    assert client.get(reverse("cases:attachment", args=[appeal.pk, photo.pk])).status_code == 200
    before = _state(appeal.pk)
    data = _post_data(district, appeal, appeal)
    failures = []
    for action in Action:
        if action in NOT_ON_THE_GENERIC_FORM or action in (Action.NOTE, Action.SUB_REPORT):
            continue
        response = client.post(reverse("cases:appeal_act", args=[appeal.pk, action.value]), data)
        if response.status_code not in (403, 409):
            failures.append(f"{action}: {response.status_code}")
        elif response.status_code == 403 and not _error_message(response.content.decode()):
            failures.append(f"{action}: 403 without a message")
    assert not failures, "\n".join(failures)
    assert _state(appeal.pk) == before
    # The street's pages stay closed to it.
    assert client.get(reverse("dispatch:screening")).status_code == 404
    assert client.get(reverse("cases:sub_tasks")).status_code == 404


@pytest.mark.parametrize(
    "status",
    [
        AppealStatus.RECEIVED,
        AppealStatus.SCREENED,
        AppealStatus.INVALID,
        AppealStatus.MERGED,
        AppealStatus.RETURNED,
    ],
    ids=str,
)
def test_no_unit_sees_an_appeal_that_is_not_dispatched_to_it(client, district, status):
    appeal = appeal_in(district, status)
    for who in ("handler", "handler_other", "handler_dept"):
        client.force_login(district.user(who))
        assert client.get(reverse("cases:appeal_detail", args=[appeal.pk])).status_code == 404


def test_a_photo_of_another_appeal_is_not_served_through_mine(client, district):
    mine = appeal_in(district, AppealStatus.DISPATCHED)
    other = appeal_in(district, AppealStatus.SCREENED)
    photo = _photo(other)
    client.force_login(district.user("handler"))
    assert client.get(reverse("cases:attachment", args=[mine.pk, photo.pk])).status_code == 404


# --- anonymous ------------------------------------------------------------------------------


def test_the_staff_url_list_is_complete(district):
    names = set(_staff_urls(1, 1))
    assert {
        "cases:home",
        "cases:appeal_list",
        "cases:unit_queue",
        "cases:follow_up_queue",
        "cases:appeal_detail",
        "cases:appeal_act",
        "cases:attachment",
        "intake:hotline",
        "intake:caller_history",
        "dispatch:screening",
        "dispatch:panel",
        "triage:panel",
        "triage:screen",
        "dispatch:dispatch",
        "feedback:panel",
        "feedback:rate",
    } <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login_from_every_staff_url(client, district, method):
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    photo = _photo(appeal)
    before = _state(appeal.pk)
    login = reverse("accounts:login")
    failures = []
    for name, url in _staff_urls(appeal.pk, photo.pk).items():
        response = getattr(client, method)(url, _post_data(district, appeal, appeal))
        if response.status_code != 302 or not response["Location"].startswith(login):
            failures.append(f"{method.upper()} {name} {url}: {response.status_code}")
        elif TITLE.encode() in response.content:
            failures.append(f"{method.upper()} {name}: shows the appeal")
    assert not failures, "\n".join(failures)
    assert _state(appeal.pk) == before


# --- handlers stay out of the hotline's and the dispatcher's screens -------------------------


@pytest.mark.parametrize("who", ["handler", "handler_other", "handler_dept"])
def test_a_handler_gets_404_on_the_dispatch_and_intake_screens(client, district, who):
    appeal = appeal_in(district, AppealStatus.SCREENED)
    before = _state(appeal.pk)
    client.force_login(district.user(who))
    assert client.get(reverse("dispatch:screening")).status_code == 404
    assert client.post(reverse("dispatch:screening")).status_code == 404
    assert client.get(reverse("intake:hotline")).status_code == 404
    hotline = client.post(
        reverse("intake:hotline"),
        {"title": "测试", "content": "测试", "kind": "complaint", "appellant_phone": PHONE},
    )
    assert hotline.status_code == 404
    assert client.post(
        reverse("intake:caller_history"), {"appellant_phone": PHONE}
    ).status_code == (404)
    assert client.get(reverse("cases:follow_up_queue")).status_code == 404
    data = _post_data(district, appeal, appeal)
    assert client.post(reverse("dispatch:dispatch", args=[appeal.pk]), data).status_code == 404
    assert client.post(reverse("triage:screen", args=[appeal.pk]), data).status_code == 404
    assert Appeal.objects.count() == 1  # nothing was taken in through the hotline
    assert _state(appeal.pk) == before


# --- leaders look, never act -----------------------------------------------------------------

NOT_ON_THE_GENERIC_FORM = {
    Action.RECEIVE,
    Action.SCREEN,
    Action.DISPATCH,
    Action.RATE,
    Action.RATE_DISSATISFIED,
    Action.SUPPLEMENT,  # the citizen's tracking page
    Action.FOLLOW_UP,  # the revisit panel (cases:revisit)
    Action.ANSWER_DIRECTLY,  # the hotline console, with a knowledge-base article
    Action.ONSITE_CHECK,  # the on-site check's panel
    Action.SEND_DOWN,  # the city link: appeal_send_down (docs/citylink.md)
    Action.DOWNSTREAM_UPDATE,  # the city link: a peer's POST servicerequestupdates
    Action.DOWNSTREAM_REPLY,
}


ERROR_MESSAGE = re.compile(r'(?:data-status="\d+"|class="error-message")>([^<]*)<')


def _error_message(html: str) -> str:
    found = ERROR_MESSAGE.search(html)
    return found.group(1).strip() if found else ""


@pytest.mark.parametrize("status", STATUSES, ids=str)
def test_a_leader_sees_but_every_action_is_refused(client, district, status):
    appeal = appeal_in(district, status)
    if status == AppealStatus.IN_PROGRESS:
        # With a request pending, deciding on it is a real possibility the leader is denied.
        extension_request(
            appeal_id=appeal.pk,
            actor=Actor.of(district.user("handler")),
            expected_version=appeal.version,
            days=3,
            reason="需协调多部门",
        )
        appeal.refresh_from_db()
    into = appeal_new(district, title="另一件事")
    before = _state(appeal.pk)
    data = _post_data(district, appeal, into)
    client.force_login(district.user("leader"))

    detail = client.get(reverse("cases:appeal_detail", args=[appeal.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert TITLE in html
    assert "当前没有您可以执行的办理操作" in html
    assert 'name="version"' not in html  # not one action form
    assert PHONE not in html and MASKED_PHONE not in html  # leaders get no contact details

    failures = []
    for action in Action:
        response = client.post(reverse("cases:appeal_act", args=[appeal.pk, action.value]), data)
        code = response.status_code
        message = _error_message(response.content.decode())
        expected = 409 if status not in TRANSITIONS[action].source else 403
        if action in NOT_ON_THE_GENERIC_FORM:
            expected = 403  # "该操作请在对应的面板中进行", whatever the status
        if code != expected:
            failures.append(f"{action}: {code} != {expected} ({message})")
    for name in ("triage:screen", "dispatch:dispatch"):
        code = client.post(reverse(name, args=[appeal.pk]), data).status_code
        if code != 404:
            failures.append(f"{name}: {code}")
    rate = client.post(reverse("feedback:rate", args=[appeal.pk]), data)
    if rate.status_code not in (403, 409):
        failures.append(f"feedback:rate: {rate.status_code}")
    assert not failures, "\n".join(failures)
    assert _state(appeal.pk) == before


# --- masked personal data ---------------------------------------------------------------------


def _assert_masked(html: str, where: str) -> None:
    assert MASKED_PHONE in html, f"{where}: no masked phone"
    assert PHONE not in html, f"{where}: full phone"
    assert NAME not in html, f"{where}: full name"
    assert "张*" in html, f"{where}: no masked name"


def test_lists_show_personal_data_masked(client, district):
    received = appeal_in(district, AppealStatus.RECEIVED)
    dispatched = appeal_in(district, AppealStatus.DISPATCHED)
    follow_up = appeal_in(district, AppealStatus.FOLLOW_UP)

    client.force_login(district.user("supervisor"))
    page = client.get(reverse("cases:appeal_list")).content.decode()
    for appeal in (received, dispatched, follow_up):
        assert appeal.tracking_number in page
    _assert_masked(page, "cases:appeal_list")
    _assert_masked(client.get(reverse("cases:follow_up_queue")).content.decode(), "follow-up")

    client.force_login(district.user("dispatcher"))
    page = client.get(reverse("dispatch:screening")).content.decode()
    assert received.tracking_number in page
    _assert_masked(page, "dispatch:screening")

    client.force_login(district.user("handler"))
    page = client.get(reverse("cases:unit_queue")).content.decode()
    assert dispatched.tracking_number in page
    _assert_masked(page, "cases:unit_queue")


@pytest.mark.parametrize(
    "who", ["call_taker", "dispatcher", "handler", "handler_dept", "supervisor", "admin"]
)
def test_the_appeal_page_shows_the_phone_masked_only(client, district, who):
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user(who))
    html = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    _assert_masked(html, f"detail as {who}")


# --- scope across districts: a city's install, each district's staff in its own -------------

OTHER_DISTRICT = ["b_call_taker", "b_dispatcher", "b_supervisor", "b_leader", "b_admin"]


@pytest.mark.parametrize("who", [*OTHER_DISTRICT, "b_handler"])
def test_another_districts_staff_get_404_on_every_url_of_the_appeal(client, district, who):
    """Every role of the other district, those who see their whole district included: 404 on
    every URL of this district's appeal (as for a missing one), and nothing of it shown."""
    other_district_build(district)
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    photo = _photo(appeal)
    into = appeal_new(district, title="另一件事")
    before = _state(appeal.pk)
    data = _post_data(district, appeal, into)
    client.force_login(district.user(who))
    failures = []
    for name, url in _appeal_urls(appeal.pk, photo.pk):
        for method in ("get", "post"):
            expected = 405 if method == "get" and name in POST_ONLY else 404
            response = getattr(client, method)(url, data if method == "post" else None)
            body = b"".join(response) if response.streaming else response.content
            if response.status_code != expected:
                failures.append(f"{method.upper()} {url}: {response.status_code} != {expected}")
            if TITLE.encode() in body or appeal.tracking_number.encode() in body:
                failures.append(f"{method.upper()} {url}: shows the appeal")
    assert not failures, "\n".join(failures)
    assert _state(appeal.pk) == before


@pytest.mark.parametrize("who", OTHER_DISTRICT)
def test_another_districts_staff_find_none_of_its_appeals_in_their_lists(client, district, who):
    other_district_build(district)
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    client.force_login(district.user(who))
    for url in _staff_urls(appeal.pk, MISSING_ID).values():
        if "<" in url or url.endswith("/panel/"):
            continue
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        assert appeal.tracking_number not in response.content.decode(), url


@pytest.mark.parametrize("who", ["city_dispatcher", "city_leader"])
def test_the_citys_staff_see_every_districts_appeals(client, district, who):
    """The control: the city's hotline, above the districts, sees this district's appeal and
    finds it in the list."""
    other_district_build(district)
    appeal = appeal_in(district, AppealStatus.DISPATCHED)
    client.force_login(district.user(who))
    assert client.get(reverse("cases:appeal_detail", args=[appeal.pk])).status_code == 200
    listed = client.get(reverse("cases:appeal_list"))
    assert appeal.tracking_number in listed.content.decode()
