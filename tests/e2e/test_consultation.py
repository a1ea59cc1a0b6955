"""征求意见 in a browser: the office pastes a draft (cut into articles) and publishes it; a
resident comments on an article from a phone; a dispatcher publishes the comment (masked); the
window ends; the office answers it and publishes the feedback report, which the resident reads
and downloads.

Screenshots: consultation-new-1366, consultation-public-390, consultation-moderate-1366,
consultation-answer-1366, consultation-report-390, consultation-report-1366."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minxin.consultation.models import Comment, Consultation
from tests.builders import District
from tests.consultation.builders import BODY

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)

FMT = "%Y-%m-%dT%H:%M"


def test_a_draft_from_comments_to_the_feedback_report(new_page, live_district: District) -> None:
    d = live_district
    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto("/console/consultations/")
    office.get_by_role("link", name="新建征求意见").click()
    office.fill("input[name=title]", "《A3区住宅小区物业管理办法（征求意见稿）》")
    office.select_option("select[name=issuing_unit]", str(d.departments[1].pk))
    office.fill("textarea[name=summary]", "针对物业服务投诉集中的问题起草，现公开征求意见。")
    office.fill("textarea[name=body]", BODY)
    now = timezone.localtime()
    office.fill("input[name=opens_at]", (now - timedelta(minutes=5)).strftime(FMT))
    office.fill("input[name=closes_at]", (now + timedelta(days=20)).strftime(FMT))
    snap(office, "consultation-new-1366")
    office.get_by_role("button", name="新建").click()
    expect(office.get_by_role("status")).to_contain_text("草案共4条")
    action_open(office, "publish").get_by_role("button", name="发布征求意见").click()
    expect(office.get_by_role("status")).to_contain_text("已发布征求意见")
    consultation = Consultation.objects.get()
    third = consultation.articles.get(position=3)

    resident = new_page(phone=True)
    resident.goto("/participation/")
    resident.get_by_role("link", name=consultation.title).click()
    article = resident.locator(f"#article-{third.pk}")
    article.locator("summary").click()
    article.locator("textarea[name=text]").fill("公示内容应当包括停车费标准，我的电话13912345678")
    article.locator("input[name=author]").fill("景蓉居民")
    article.get_by_role("button", name="提交意见").click()
    expect(resident.get_by_role("status")).to_contain_text("意见已提交")
    snap(resident, "consultation-public-390")

    moderator = new_page()
    login(moderator, "dispatcher", "pw-dispatcher")
    moderator.goto(f"/console/consultations/{consultation.pk}/")
    comment = moderator.locator("[data-comment]").first
    expect(comment).to_contain_text("停车费标准")
    snap(moderator, "consultation-moderate-1366")
    comment.get_by_role("button", name="公开意见").click()
    expect(moderator.get_by_role("status")).to_contain_text("已公开意见")
    resident.reload()
    expect(article.locator(".cs-comments")).to_contain_text("停车费标准")
    expect(article.locator(".cs-comments")).not_to_contain_text("13912345678")

    # The window ends (test-only: the clock moved on); the office closes and answers.
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - timedelta(days=21), closes_at=timezone.now() - timedelta(days=1)
    )
    office.goto(f"/console/consultations/{consultation.pk}/")
    action_open(office, "close").get_by_role("button", name="结束征求意见").click()
    expect(office.get_by_role("status")).to_contain_text("已结束征求意见")
    answer = office.locator("[data-comment] details[data-action=answer]")
    answer.get_by_label("采纳", exact=True).check()
    answer.locator("textarea[name=reason]").fill("已在第三条公示内容中增加停车费标准。")
    snap(office, "consultation-answer-1366")
    answer.get_by_role("button", name="保存答复").click()
    expect(office.locator("[data-decision=adopted]")).to_contain_text("采纳")
    action_open(office, "report").get_by_role("button", name="公布采纳情况").click()
    expect(office.get_by_role("status")).to_contain_text("已公布采纳情况")
    snap(office, "consultation-report-1366")
    assert Comment.objects.get().decision == "adopted"

    resident.reload()
    report = resident.locator("[data-report]")
    expect(report.locator("[data-n-adopted]")).to_have_text("1")
    expect(article.locator("[data-decision=adopted]")).to_contain_text(
        "已在第三条公示内容中增加停车费标准"
    )
    snap(resident, "consultation-report-390")
    pdf = resident.request.get(f"/participation/consultations/{consultation.pk}/report.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
