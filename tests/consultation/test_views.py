"""The screens: the office creates a draft from its form, the public comments on an article
(rate-limited, no account), a moderator publishes, the office answers and publishes the report,
which anyone downloads. Bad input: a Chinese message, a 4xx, nothing written; drafts and
withdrawn ones are 404 to the public, the console to handlers."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minxin.consultation.models import Comment, Consultation
from minxin.consultation.services import consultation_act
from minxin.consultation.workflow import ConsultationAction

from .builders import BODY, draft_new, open_new

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public(public_pages):
    pass


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_creates_a_draft_from_the_form(district):
    d = district
    client = _client(d.user("supervisor"))
    now = timezone.localtime()
    form = {
        "title": "《物业管理办法（征求意见稿）》",
        "issuing_unit": d.departments[1].pk,
        "body": BODY,
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    refused = client.post(reverse("consultation:new"), form)
    assert refused.status_code == 400 and "截止时间应晚于开始时间" in refused.content.decode()
    assert not Consultation.objects.exists()
    form["closes_at"] = (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    made = client.post(reverse("consultation:new"), form)
    c = Consultation.objects.get()
    assert made.status_code == 302 and c.articles.count() == 4
    page = client.get(reverse("consultation:detail", args=[c.pk])).content.decode()
    assert "第三条" in page and "发布征求意见" in page
    assert (
        _client(d.user("handler")).get(reverse("consultation:detail", args=[c.pk])).status_code
        == 404
    )


def test_the_public_comments_and_reads_the_report(district):
    d = district
    public = Client()
    draft = draft_new(d, at=timezone.now(), title="未发布的稿")
    assert public.get(reverse("public_consultation:detail", args=[draft.pk])).status_code == 404
    c = open_new(d, at=timezone.now() - timedelta(hours=1))
    url = reverse("public_consultation:detail", args=[c.pk])
    index = public.get(reverse("public_selection:index")).content.decode()
    assert c.title in index and draft.title not in index
    article = c.articles.order_by("position")[2]
    post = reverse("public_consultation:comment", args=[c.pk])
    empty = public.post(post, {"text": "", "article": article.pk})
    assert empty.status_code == 400 and "请填写意见" in empty.content.decode()
    foreign = public.post(post, {"text": "好", "article": draft.articles.first().pk})
    assert foreign.status_code == 400 and "不属于该草案" in foreign.content.decode()
    ok = public.post(
        post, {"text": "收费标准应当包括车位费，电话13912345678", "article": article.pk}
    )
    assert ok.status_code == 302
    comment = Comment.objects.get()
    # Not public before moderation.
    assert "车位费" not in public.get(url).content.decode()
    mod = _client(d.user("dispatcher"))
    act = reverse("consultation:comment_act", args=[c.pk, comment.pk])
    assert mod.post(act, {"action": "publish", "version": comment.version}).status_code == 302
    page = public.get(url).content.decode()
    assert "车位费" in page and "13912345678" not in page
    staff_page = mod.get(reverse("consultation:detail", args=[c.pk])).content.decode()
    assert "车位费" in staff_page and "13912345678" not in staff_page
    # The report is not out yet.
    assert (
        public.get(reverse("public_consultation:report_file", args=[c.pk, "pdf"])).status_code
        == 404
    )
    Consultation.objects.filter(pk=c.pk).update(  # test-only: the window ended
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(days=1)
    )
    late = public.post(post, {"text": "晚了"})
    assert late.status_code == 409 and "不在征求意见期内" in late.content.decode()
    office = _client(d.user("supervisor"))
    step = reverse("consultation:act", args=[c.pk])
    assert office.post(step, {"action": "close"}).status_code == 302
    comment.refresh_from_db()
    bad = office.post(
        act, {"action": "answer", "decision": "", "reason": "x", "version": comment.version}
    )
    assert bad.status_code == 400
    good = office.post(
        act,
        {
            "action": "answer",
            "decision": "adopted",
            "reason": "已补充车位费",
            "version": comment.version,
        },
    )
    assert good.status_code == 302
    assert office.get(reverse("consultation:report_file", args=[c.pk, "xlsx"])).status_code == 200
    assert office.post(step, {"action": "report"}).status_code == 302
    page = public.get(url).content.decode()
    assert "意见采纳情况" in page and "已补充车位费" in page
    pdf = public.get(reverse("public_consultation:report_file", args=[c.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        public.get(reverse("public_consultation:report_file", args=[c.pk, "exe"])).status_code
        == 404
    )


def test_a_withdrawn_draft_is_gone_from_the_public(district):
    d = district
    c = open_new(d, at=timezone.now())
    consultation_act(
        actor=d.user("supervisor"),
        consultation_id=c.pk,
        action=ConsultationAction.WITHDRAW,
        reason="法规已由市级统一制定",
    )
    assert Client().get(reverse("public_consultation:detail", args=[c.pk])).status_code == 404


def test_a_refused_step_keeps_the_reason_typed_and_the_report_form_takes_one(district):
    d = district
    c = open_new(d, at=timezone.now())
    office = _client(d.user("supervisor"))
    step = reverse("consultation:act", args=[c.pk])
    stale = office.post(
        step, {"action": "withdraw", "reason": "法规已由市级统一制定", "version": c.version + 1}
    )
    assert stale.status_code == 409
    assert 'value="法规已由市级统一制定"' in stale.content.decode()
    c.refresh_from_db()
    assert c.status == "open"
    Consultation.objects.filter(pk=c.pk).update(  # test-only: the window ended
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(days=1)
    )
    assert office.post(step, {"action": "close"}).status_code == 302
    page = office.get(reverse("consultation:detail", args=[c.pk])).content.decode()
    assert "采纳情况说明 <small>（选填）</small>" in page


def test_the_demo_seeds_a_reported_and_an_open_consultation():
    from io import StringIO

    from django.core.management import call_command

    from minxin.consultation.selectors import consultation_page
    from minxin.consultation.workflow import ConsultationStatus
    from minxin.demo.consultation import consultation_seed

    call_command("seed_demo", appeals=0, verbosity=0, stdout=StringIO())
    assert consultation_seed() == 2
    assert consultation_seed() == 0
    done = Consultation.objects.get(status=ConsultationStatus.REPORTED)
    counts = consultation_page(done, public=True).counts
    assert (counts.comments, counts.adopted, counts.partly, counts.not_adopted) == (6, 3, 2, 1)
    live = Consultation.objects.get(status=ConsultationStatus.OPEN)
    assert live.comments.filter(status="pending").count() == 1
