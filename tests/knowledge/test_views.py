"""知识库 screens: searched in Chinese (marked, escaped), scoped (drafts to the centre and the
owner unit), written and revised; suggestions for the text being typed; the hotline console
closing an inquiry as 直接答复; refusals with a 4xx and the message."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.knowledge.models import Article, ArticleUse

from .builders import article_new

LATER = (timezone.localdate() + timedelta(days=200)).isoformat()


def test_the_list_searches_marks_and_escapes(client, district):
    article_new(district, title="<b>入学</b>报名材料", body="户口簿和房产证明")
    article_new(district, title="垃圾分类投放时间", body="每天7点至9点")
    client.force_login(district.user("call_taker"))
    page = client.get(reverse("knowledge:list"), {"q": "入学"}).content.decode()
    assert "&lt;b&gt;<mark>入学</mark>&lt;/b&gt;报名材料" in page and "垃圾分类" not in page
    page = client.get(reverse("knowledge:list"), {"q": "户口 房产"}).content.decode()
    assert "<mark>户口</mark>簿和<mark>房产</mark>证明" in page
    short = client.get(reverse("knowledge:list"), {"q": "户"})
    assert short.status_code == 400 and "至少 2 个字" in short.content.decode()


def test_drafts_are_seen_by_the_centre_and_the_owner_unit_only(client, district):
    draft = article_new(district, title="草稿条目", published=False)  # street 0's
    for who, sees in (
        ("supervisor", True),
        ("handler", True),
        ("handler_other", False),
        ("call_taker", False),
    ):
        client.force_login(district.user(who))
        assert ("草稿条目" in client.get(reverse("knowledge:list")).content.decode()) is sees, who
        status = client.get(reverse("knowledge:detail", args=[draft.pk])).status_code
        assert status == (200 if sees else 404), who


def test_writing_and_revising_through_the_forms(client, district):
    client.force_login(district.user("supervisor"))
    bad = client.post(reverse("knowledge:new"), {"title": "无内容", "review_due": LATER})
    assert bad.status_code == 400 and "答复口径" in bad.content.decode()
    assert 'value="无内容"' in bad.content.decode()  # what was typed is kept
    response = client.post(
        reverse("knowledge:new"),
        {
            "title": "居住证办理流程",
            "body": "携带身份证、居住证明到社区服务中心办理。",
            "review_due": LATER,
            "owner_unit": district.street_units[0].pk,
        },
    )
    article = Article.objects.get(title="居住证办理流程")
    assert response.status_code == 302
    publish = client.post(
        reverse("knowledge:act", args=[article.pk]),
        {"action": "publish", "version": article.version},
    )
    assert publish.status_code == 302
    article.refresh_from_db()
    stale = client.post(
        reverse("knowledge:edit", args=[article.pk]),
        {
            "title": article.title,
            "body": "新内容",
            "review_due": LATER,
            "version": article.version - 1,
            "note": "更新",
        },
    )
    assert stale.status_code == 409
    client.post(
        reverse("knowledge:edit", args=[article.pk]),
        {
            "title": article.title,
            "body": "携带身份证、居住证明到街道便民服务中心办理。",
            "review_due": LATER,
            "version": article.version,
            "note": "办理地点调整",
        },
    )
    page = client.get(reverse("knowledge:detail", args=[article.pk])).content.decode()
    assert "第2版" in page and "办理地点调整" in page and "社区服务中心" in page  # v1 kept
    bad_date = client.post(
        reverse("knowledge:act", args=[article.pk]),
        {"action": "confirm", "version": article.version + 1, "review_due": "not-a-date"},
    )
    assert bad_date.status_code == 400 and "日期" in bad_date.content.decode()


def test_suggestions_follow_the_text_typed(client, district):
    article_new(district)  # 小学入学报名
    article_new(district, title="犬只登记办理", body="携带犬只免疫证明到派出所登记。")
    client.force_login(district.user("call_taker"))
    url = reverse("knowledge:suggest")
    assert client.get(url).status_code == 405
    page = client.post(
        url,
        {"title": "咨询孩子小学入学", "content": "想问入学报名要准备什么材料", "mode": "answer"},
    ).content.decode()
    assert "适龄儿童小学入学报名需要哪些材料" in page and "犬只" not in page
    assert "以此直接答复并办结" in page
    nothing = client.post(url, {"title": "咨询火星移民", "mode": "answer"}).content.decode()
    assert "没有相关条目" in nothing
    client.force_login(district.user("handler"))
    page = client.post(url, {"text": "犬只 登记", "mode": "insert"}).content.decode()
    assert "插入答复" in page and "<template>携带犬只免疫证明到派出所登记。</template>" in page


def _call(article_pk, **kw):
    data = {
        "submission_key": "k-" + str(article_pk) + kw.pop("key", ""),
        "kind": "inquiry",
        "urgency": "normal",
        "title": "咨询小学入学材料",
        "content": "孩子今年上小学，想问报名要带哪些材料。",
        "appellant_phone": "13700001111",
        "answer_article": str(article_pk),
    }
    data.update(kw)
    return data


def test_the_console_closes_an_inquiry_as_answered_directly(client, district):
    article = article_new(district)
    client.force_login(district.user("call_taker"))
    response = client.post(reverse("intake:hotline"), _call(article.pk), follow=True)
    assert "已直接答复并办结" in response.content.decode()
    appeal = Appeal.objects.get(title="咨询小学入学材料")
    assert appeal.status == AppealStatus.ARCHIVED
    assert ArticleUse.objects.get(appeal=appeal).article_id == article.pk
    again = client.post(reverse("intake:hotline"), _call(article.pk), follow=True)
    assert again.status_code == 200 and Appeal.objects.count() == 1  # the same form twice


def test_the_console_refuses_a_direct_answer_it_cannot_give(client, district):
    draft = article_new(district, published=False)
    published = article_new(district, title="另一条")
    client.force_login(district.user("call_taker"))
    complaint = client.post(
        reverse("intake:hotline"), _call(published.pk, kind="complaint", key="c")
    )
    assert complaint.status_code == 400 and "咨询" in complaint.content.decode()
    assert "咨询小学入学材料" in complaint.content.decode()  # what was typed is kept
    unpublished = client.post(reverse("intake:hotline"), _call(draft.pk, key="d"))
    assert unpublished.status_code == 404 and "未发布" in unpublished.content.decode()
    junk = client.post(reverse("intake:hotline"), _call("x' or 1=1", key="j"))
    assert junk.status_code == 404
    assert Appeal.objects.count() == 0
