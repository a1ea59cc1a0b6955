"""The screens: the office runs a round from its forms, a deputy votes on its ballot page,
residents comment and vote on the public pages (phone → code → choices → receipt). Bad input
gets a Chinese message and a 4xx, and writes nothing; a draft round is 404 to the public, and
the rounds' pages to staff who do not run them."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from minxin.notify.sms import MemorySmsBackend
from minxin.selection.models import (
    Candidate,
    CandidateComment,
    DeputyVote,
    ResidentBallot,
    SelectionRound,
)
from minxin.selection.public_views import SHOWN
from minxin.selection.services import round_act
from minxin.selection.workflow import RoundAction, RoundStatus

from .builders import candidates_add, deputies_new, round_new

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public(public_pages):
    MemorySmsBackend.outbox = []
    with override_settings(MINXIN_SMS_BACKEND="minxin.notify.sms.MemorySmsBackend"):
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _published(d, **kw) -> tuple[SelectionRound, list[Candidate]]:
    now = timezone.now()
    selection = round_new(d, at=now, **kw)
    cands = candidates_add(d, selection, ["景蓉小区加装电梯", "银杉社区老年食堂"], at=now)
    round_act(actor=d.user("supervisor"), round_id=selection.pk, action=RoundAction.PUBLISH)
    return selection, cands


def _voting(d, **kw):
    selection, cands = _published(d, **kw)
    now = timezone.now()
    SelectionRound.objects.filter(pk=selection.pk).update(  # test-only: the comment ended
        comment_closes_at=now - timedelta(hours=2), vote_opens_at=now - timedelta(hours=1)
    )
    selection = round_act(
        actor=d.user("supervisor"), round_id=selection.pk, action=RoundAction.OPEN_VOTE
    )
    return selection, cands


def test_the_office_creates_a_round_and_its_candidates_from_the_forms(district):
    d = district
    from .builders import programme_next

    programme = programme_next()
    client = _client(d.user("supervisor"))
    assert client.get(reverse("selection:round_new")).status_code == 200
    soon = timezone.localtime() + timedelta(days=3)
    form = {
        "title": "2027年民生实事项目票决",
        "programme": programme.pk,
        "region": d.district.pk,
        "comment_closes_at": soon.strftime("%Y-%m-%dT%H:%M"),
        "vote_opens_at": (soon - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "vote_closes_at": (soon + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "pass_base": "present",
        "pass_percent": "50",
    }
    refused = client.post(reverse("selection:round_new"), form)
    assert refused.status_code == 400
    assert "表决开始时间不能早于公示截止时间" in refused.content.decode()
    assert not SelectionRound.objects.exists()
    form["vote_opens_at"] = (soon + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    made = client.post(reverse("selection:round_new"), form)
    selection = SelectionRound.objects.get()
    assert made.status_code == 302 and made.url == reverse(
        "selection:round_detail", args=[selection.pk]
    )
    add = reverse("selection:candidate_new", args=[selection.pk])
    assert client.get(add).status_code == 200
    candidate = {
        "source": "office",
        "name": "景蓉小区加装电梯",
        "kind": "elevator",
        "lead_unit": d.street_units[0].pk,
        "summary": "加装电梯12台",
        "start_date": "2027-03-01",
        "end_date": "2028-01-31",
        "version": selection.version,
    }
    refused = client.post(add, candidate)
    assert refused.status_code == 400 and "应在2027年内" in refused.content.decode()
    candidate["end_date"] = "2027-12-31"
    assert client.post(add, candidate).status_code == 302
    # A stale version (the page rendered before the first candidate) is refused.
    stale = client.post(add, {**candidate, "name": "另一个"})
    assert stale.status_code == 409 and "已被他人更新" in stale.content.decode()
    assert Candidate.objects.count() == 1
    page = client.get(reverse("selection:round_detail", args=[selection.pk])).content.decode()
    assert "景蓉小区加装电梯" in page and "公示候选项目" in page


def test_who_sees_the_rounds_pages(district):
    d = district
    selection, _ = _published(d)
    detail = reverse("selection:round_detail", args=[selection.pk])
    for key in ("handler", "dispatcher", "call_taker"):
        assert _client(d.user(key)).get(detail).status_code == 404, key
    deputy = deputies_new(d, 1)[0].user
    client = _client(deputy)
    home = client.get(reverse("cases:home"))
    assert home.url == reverse("selection:round_list")
    listing = client.get(reverse("selection:round_list")).content.decode()
    assert "代表表决" in listing and selection.title in listing
    assert "全部诉求" not in listing and "甄别派单" not in listing
    # The deputy reads the published round but takes none of the office's steps.
    assert client.get(detail).status_code == 200
    step = client.post(reverse("selection:round_act", args=[selection.pk]), {"action": "open_vote"})
    assert step.status_code == 404


def test_a_deputy_votes_once_on_the_ballot_page(district):
    d = district
    deputies = deputies_new(d, 3)
    selection, (a, b) = _voting(d)
    client = _client(deputies[0].user)
    page = client.get(reverse("selection:round_detail", args=[selection.pk])).content.decode()
    assert "提交表决票" in page
    ballot = reverse("selection:ballot", args=[selection.pk])
    missing = client.post(ballot, {f"vote_{a.pk}": "for"})
    assert missing.status_code == 400 and "尚未选择" in missing.content.decode()
    unknown = client.post(
        ballot, {f"vote_{a.pk}": "for", f"vote_{b.pk}": "for", "vote_99999": "for"}
    )
    assert unknown.status_code == 400 and "不属于本轮" in unknown.content.decode()
    odd = client.post(ballot, {f"vote_{a.pk}": "for", f"vote_{b.pk}": "for", "vote_²": "for"})
    assert odd.status_code == 400 and "不属于本轮" in odd.content.decode()  # was int("²"): a 500
    assert not DeputyVote.objects.exists()
    done = client.post(ballot, {f"vote_{a.pk}": "for", f"vote_{b.pk}": "abstain"})
    assert done.status_code == 302
    again = client.post(ballot, {f"vote_{a.pk}": "against", f"vote_{b.pk}": "against"})
    assert again.status_code == 409 and "只能表决一次" in again.content.decode()
    assert DeputyVote.objects.count() == 2
    mine = client.get(reverse("selection:round_detail", args=[selection.pk])).content.decode()
    assert "我的表决" in mine and "提交表决票" not in mine
    # Outside the window.
    SelectionRound.objects.filter(pk=selection.pk).update(  # test-only: the window ended
        vote_closes_at=timezone.now() - timedelta(minutes=1)
    )
    late = _client(deputies[1].user).post(ballot, {f"vote_{a.pk}": "for", f"vote_{b.pk}": "for"})
    assert late.status_code == 409 and "不在表决时间内" in late.content.decode()
    # The count: public results.
    counted = _client(d.user("supervisor")).post(
        reverse("selection:round_act", args=[selection.pk]),
        {"action": "decide", "version": SelectionRound.objects.get(pk=selection.pk).version},
    )
    assert counted.status_code == 302
    public = Client().get(reverse("public_selection:round_detail", args=[selection.pk]))
    text = public.content.decode()
    assert public.status_code == 200 and "通过" in text and "data-present>1<" in text


def test_the_public_pages_of_a_round(district, django_capture_on_commit_callbacks):
    d = district
    draft = round_new(d, at=timezone.now(), title="尚未公示的票决")
    public = Client()
    assert public.get(reverse("public_selection:round_detail", args=[draft.pk])).status_code == 404
    selection, (a, b) = _published(d, residents_vote=True, residents_choices=1)
    index = public.get(reverse("public_selection:index")).content.decode()
    assert selection.title in index and draft.title not in index
    url = reverse("public_selection:round_detail", args=[selection.pk])
    assert public.get(url).status_code == 200
    comment = reverse("public_selection:comment", args=[selection.pk, a.pk])
    empty = public.post(comment, {"text": " "})
    assert empty.status_code == 400 and "请填写意见" in empty.content.decode()
    assert public.post(comment, {"text": "支持，电话13812345678"}).status_code == 302
    assert "13812345678" not in CandidateComment.objects.get().text
    # A candidate of another round is 404.
    other, _ = _published(d)
    foreign = public.post(
        reverse("public_selection:comment", args=[other.pk, a.pk]), {"text": "好"}
    )
    assert foreign.status_code == 404
    # The residents' vote: phone → code → one choice → receipt; a second ballot refused.
    vote = reverse("public_selection:vote", args=[selection.pk])
    assert 'data-step="phone"' in public.get(vote).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = public.post(
            reverse("public_selection:code_send", args=[selection.pk]), {"phone": "13912345678"}
        )
    assert sent.status_code == 200 and "139****5678" in sent.content.decode()
    _, text = MemorySmsBackend.outbox[-1]
    code = "".join(ch for ch in text.split("，")[0] if ch.isdigit())
    key = sent.context["submission_key"]
    two = public.post(
        vote,
        {"phone": "13912345678", "code": code, "candidate": [a.pk, b.pk], "submission_key": key},
    )
    assert two.status_code == 400 and "最多选择1个" in two.content.decode()
    ok = public.post(vote, {"candidate": [b.pk], "submission_key": key})
    assert ok.status_code == 302
    receipt = public.get(ok.url).content.decode()
    assert "投票成功" in receipt and "银杉社区老年食堂" in receipt
    # The same form again gives the receipt; a new ballot from this phone is refused.
    assert public.post(vote, {"candidate": [b.pk], "submission_key": key}).status_code == 302
    again = public.post(vote, {"candidate": [a.pk], "submission_key": "x" * 10})
    assert again.status_code == 409 and "每人只能投一次" in again.content.decode()
    assert ResidentBallot.objects.count() == 1
    # The phone is nowhere in the URLs or the page.
    assert "13912345678" not in public.get(url).content.decode()


def test_a_comment_after_the_public_window_is_refused(district):
    d = district
    selection, (a, _b) = _published(d)
    SelectionRound.objects.filter(pk=selection.pk).update(  # test-only: the window ended
        comment_closes_at=timezone.now() - timedelta(minutes=1),
        vote_opens_at=timezone.now(),
    )
    late = Client().post(
        reverse("public_selection:comment", args=[selection.pk, a.pk]), {"text": "晚了"}
    )
    assert late.status_code == 409 and "公示期已结束" in late.content.decode()
    assert not CandidateComment.objects.exists()
    assert SelectionRound.objects.get(pk=selection.pk).status == RoundStatus.CONSULTING


def test_the_public_pages_reads_are_rate_limited_per_address(district, settings, rate_limits):
    """Every participation page counts against one allowance per address; past it, 429 in
    Chinese, for reads of any of them; forms' posts keep their own limits."""
    d = district
    selection, _ = _published(d)
    settings.MINXIN_PUBLIC_READ_RATE = "4/h"
    visitor = Client()
    pages = [
        reverse("public_selection:index"),
        reverse("public_selection:round_detail", args=[selection.pk]),
        reverse("public_selection:vote", args=[selection.pk]),
        reverse("public_deliberation:new"),
    ]
    assert 429 not in [visitor.get(url).status_code for url in pages]
    for url in (*pages, reverse("public_panels:results", args=[1])):
        blocked = visitor.get(url)
        assert blocked.status_code == 429 and "访问过于频繁" in blocked.content.decode()
    # Another address reads on.
    assert Client(REMOTE_ADDR="10.0.0.9").get(pages[0]).status_code == 200


def test_the_index_links_every_item_of_a_section(district):
    """The index shows each section's newest items; when there are more, a link to all of
    them, open and closed, a page at a time."""
    from tests.deliberation.builders import topic_new

    d = district
    for n in range(SHOWN + 1):
        topic_new(d, by_resident=False, title=f"议题{n:02d}")
    public = Client()
    index = public.get(reverse("public_selection:index")).content.decode()
    assert "议题10" in index and "议题00" not in index
    every = reverse("public_selection:section", args=["deliberations"])
    assert f'href="{every}"' in index
    assert f'href="{reverse("public_selection:section", args=["rounds"])}"' not in index
    page = public.get(every)
    text = page.content.decode()
    assert page.status_code == 200
    assert all(f"议题{n:02d}" in text for n in range(SHOWN + 1))
    missing = public.get(reverse("public_selection:section", args=["nothing"]))
    assert missing.status_code == 404 and "未找到该栏目" in missing.content.decode()
