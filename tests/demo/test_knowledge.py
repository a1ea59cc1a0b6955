"""The demo's knowledge base: articles by category with owner units, one revised, one draft,
one retired, some due for review, and hotline inquiries answered directly from them."""

import pytest

from minxin.cases.models import Appeal, Channel
from minxin.cases.workflow import AppealStatus
from minxin.demo.seed import seed_demo
from minxin.knowledge.models import Article, ArticleUse
from minxin.knowledge.selectors import articles_suggested
from minxin.knowledge.workflow import ArticleStatus

pytestmark = pytest.mark.django_db


def test_the_demo_knowledge_base_is_searched_and_answers_inquiries():
    seed_demo(appeals=20, seed=2)
    assert Article.objects.count() >= 30
    statuses = set(Article.objects.values_list("status", flat=True))
    assert statuses == set(ArticleStatus.values)
    assert Article.objects.filter(revision=2).exists()
    assert Article.objects.filter(category__isnull=False).count() >= 30
    suggested = articles_suggested(text="孩子今年上小学，报名要带什么材料")
    assert suggested[0].title == "适龄儿童小学入学报名需要哪些材料"
    answered = Appeal.objects.filter(channel=Channel.HOTLINE, status=AppealStatus.ARCHIVED)
    assert ArticleUse.objects.filter(appeal__in=answered).count() == 5
    before = Article.objects.count()
    seed_demo(appeals=0)  # again: no second set
    assert Article.objects.count() == before
