"""A draft from its text to the published feedback report through the services: the text cut
into articles, comments from a citizen, a deputy and a contact point in the window, moderation
(masked), the answers after the close, the report with counts recomputed from the comments,
its Excel and PDF. Bad input changes nothing."""

import io

import pytest
from openpyxl import load_workbook

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.consultation import report
from minxin.consultation.articles import split_articles
from minxin.consultation.models import Comment, CommentEvent, Consultation, ConsultationEvent
from minxin.consultation.selectors import consultation_page, report_rows
from minxin.consultation.services import (
    CommentDraft,
    comment_answer,
    comment_moderate,
    comment_submit,
    consultation_act,
)
from minxin.consultation.workflow import CommentAction, ConsultationAction, ConsultationStatus
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed

from .builders import T0, after, draft_new, during, open_new, point_new

pytestmark = pytest.mark.django_db


def test_the_text_is_cut_into_articles_under_their_chapters(district):
    c = draft_new(district)
    articles = list(c.articles.order_by("position").values_list("heading", "chapter"))
    assert articles == [
        ("第一条", "第一章 总则"),
        ("第二条", "第一章 总则"),
        ("第三条", "第二章 物业服务"),
        ("第四条", "第二章 物业服务"),
    ]
    assert c.preamble.startswith("为了规范住宅小区物业管理")
    assert split_articles("甲\n\n乙").articles[1].heading == "第2部分"


def _walk(d):
    c = open_new(d)
    first, second = c.articles.order_by("position")[:2]
    deputy = User.objects.create_user(username="dep", password="x", role=Role.DEPUTY)
    point = point_new()
    citizen = comment_submit(
        consultation_id=c.pk,
        draft=CommentDraft(
            text="建议明确业委会选举的时限，我叫王建国，电话13812345678", article_id=second.pk
        ),
        at=during(),
    )
    by_deputy = comment_submit(
        consultation_id=c.pk,
        actor=deputy,
        draft=CommentDraft(text="建议增加对公共收益审计的规定"),
        at=during(),
    )
    by_point = comment_submit(
        consultation_id=c.pk,
        actor=d.user("supervisor"),
        draft=CommentDraft(
            text="居民普遍反映收费标准不透明", article_id=first.pk, contact_point_id=point.pk
        ),
        at=during(),
    )
    spam = comment_submit(consultation_id=c.pk, draft=CommentDraft(text="广告"), at=during())
    return c, citizen, by_deputy, by_point, spam


def test_comments_moderated_answered_and_reported(district):
    d = district
    c, citizen, by_deputy, by_point, spam = _walk(d)
    assert (by_deputy.source, by_point.source, citizen.source) == (
        "deputy",
        "contact_point",
        "citizen",
    )
    mod = d.user("dispatcher")
    shown = comment_moderate(actor=mod, comment_id=citizen.pk, action=CommentAction.PUBLISH)
    assert "13812345678" not in shown.public_text and "王建国" not in shown.public_text
    comment_moderate(actor=mod, comment_id=by_deputy.pk, action=CommentAction.PUBLISH)
    comment_moderate(
        actor=mod,
        comment_id=by_point.pk,
        action=CommentAction.PUBLISH,
        public_text="收费标准不透明",
    )
    comment_moderate(
        actor=mod, comment_id=spam.pk, action=CommentAction.KEEP_PRIVATE, reason="与草案无关"
    )
    office = d.user("supervisor")
    # No answer while the window is open; no close before its end.
    with pytest.raises(IllegalTransition):
        comment_answer(actor=office, comment_id=citizen.pk, decision="adopted", reason="好")
    with pytest.raises(ValidationFailed, match="截止后才能结束"):
        consultation_act(
            actor=office, consultation_id=c.pk, action=ConsultationAction.CLOSE, at=during()
        )
    consultation_act(
        actor=office, consultation_id=c.pk, action=ConsultationAction.CLOSE, at=after()
    )
    comment_answer(
        actor=office,
        comment_id=citizen.pk,
        decision="adopted",
        reason="已增加六个月时限",
        at=after(),
    )
    comment_answer(
        actor=office, comment_id=by_deputy.pk, decision="partly", reason="审计改为公示", at=after()
    )
    # Not every comment answered: the report waits.
    with pytest.raises(ValidationFailed, match="2条意见未答复"):
        consultation_act(
            actor=office, consultation_id=c.pk, action=ConsultationAction.REPORT, at=after()
        )
    comment_answer(
        actor=office, comment_id=by_point.pk, decision="not_adopted", reason="已有规定", at=after()
    )
    comment_answer(
        actor=office, comment_id=spam.pk, decision="not_adopted", reason="与草案无关", at=after()
    )
    # Bad answers: no decision, no reason.
    with pytest.raises(ValidationFailed):
        comment_answer(actor=office, comment_id=spam.pk, decision="maybe", reason="x")
    with pytest.raises(ValidationFailed):
        comment_answer(actor=office, comment_id=spam.pk, decision="adopted", reason=" ")
    # A handler answers nothing.
    with pytest.raises(PermissionDenied):
        comment_answer(actor=d.user("handler"), comment_id=spam.pk, decision="adopted", reason="x")
    c = consultation_act(
        actor=office,
        consultation_id=c.pk,
        action=ConsultationAction.REPORT,
        reason="共采纳1条，部分采纳1条",
        at=after(),
    )
    assert c.status == ConsultationStatus.REPORTED and c.report_note.startswith("共采纳")
    page = consultation_page(c, public=True)
    assert (page.counts.comments, page.counts.published) == (4, 3)
    assert (page.counts.adopted, page.counts.partly, page.counts.not_adopted) == (1, 1, 2)
    # Counts recomputed from the comments agree with the event's.
    event = ConsultationEvent.objects.get(consultation=c, action="report")
    assert (event.payload["adopted"], event.payload["partly"], event.payload["not_adopted"]) == (
        1,
        1,
        2,
    )
    # The public page shows only the published comments, masked.
    shown_texts = [m.public_text for part in page.parts for m in part.comments]
    assert len(shown_texts) == 3 and "广告" not in shown_texts
    rows = report_rows(c)
    book = load_workbook(io.BytesIO(report.report_xlsx(c, rows, page.counts)))
    sheet = book["意见采纳情况"]
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "共收到意见4条，答复4条：采纳1条，部分采纳1条，未采纳2条" in cells
    assert "（该意见未公开）" in cells and "广告" not in cells
    assert not any("13812345678" in v for v in cells)
    assert report.report_pdf(c, rows, page.counts).startswith(b"%PDF")
    # Every step an event.
    assert CommentEvent.objects.filter(comment=citizen).count() == 3  # submit, publish, answer


def test_comments_outside_the_window_or_on_a_foreign_article_are_refused(district):
    d = district
    draft = draft_new(d)
    with pytest.raises(NotFound):
        comment_submit(consultation_id=draft.pk, draft=CommentDraft(text="好"), at=during())
    c = open_new(d, title="另一稿")
    other_article = draft.articles.first()
    with pytest.raises(ValidationFailed, match="不属于该草案"):
        comment_submit(
            consultation_id=c.pk,
            draft=CommentDraft(text="好", article_id=other_article.pk),
            at=during(),
        )
    with pytest.raises(IllegalTransition, match="不在征求意见期内"):
        comment_submit(consultation_id=c.pk, draft=CommentDraft(text="晚了"), at=after())
    with pytest.raises(ValidationFailed):
        comment_submit(consultation_id=c.pk, draft=CommentDraft(text="长" * 2001), at=during())
    # The office must name the contact point it enters a comment for.
    with pytest.raises(ValidationFailed, match="基层立法联系点"):
        comment_submit(
            consultation_id=c.pk,
            actor=d.user("supervisor"),
            draft=CommentDraft(text="好"),
            at=during(),
        )
    # A handler does not comment through the console.
    with pytest.raises(PermissionDenied):
        comment_submit(
            consultation_id=c.pk,
            actor=d.user("handler"),
            draft=CommentDraft(text="好"),
            at=during(),
        )
    assert not Comment.objects.exists()


def test_a_draft_needs_a_text_and_a_window(district):
    d = district
    with pytest.raises(ValidationFailed, match="截止时间应晚于开始时间"):
        draft_new(d, closes_at=T0)
    with pytest.raises(ValidationFailed, match="请填写草案全文"):
        draft_new(d, body="  ")
    with pytest.raises(PermissionDenied):
        from minxin.consultation.services import ConsultationDraft, consultation_create

        consultation_create(
            actor=d.user("handler"),
            draft=ConsultationDraft("x", d.departments[0].pk, "第一条 x", T0, after()),
            at=T0,
        )
    assert not Consultation.objects.exists()
