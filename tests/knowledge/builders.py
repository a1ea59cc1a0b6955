"""Knowledge-base articles made through the services."""

from datetime import timedelta

from django.utils import timezone

from minxin.knowledge.models import Article
from minxin.knowledge.services import ArticleDraft, article_act, article_create
from minxin.knowledge.workflow import ArticleAction
from tests.builders import District


def article_new(
    d: District,
    *,
    title: str = "适龄儿童小学入学报名需要哪些材料",
    body: str = "需提供户口簿、房产证明或租赁备案、儿童预防接种证。报名时间为每年6月。",
    published: bool = True,
) -> Article:
    article = article_create(
        actor=d.user("supervisor"),
        draft=ArticleDraft(
            title=title,
            body=body,
            category_id=d.category.pk,
            review_due=timezone.localdate() + timedelta(days=180),
            owner_unit_id=d.street_units[0].pk,
        ),
    )
    if published:
        article = article_act(
            actor=d.user("supervisor"),
            article_id=article.pk,
            action=ArticleAction.PUBLISH,
            expected_version=article.version,
        )
    return article
