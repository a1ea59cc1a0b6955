"""The knowledge base on a city's install: an article is one district's or the whole city's; a
district's staff read their district's and the city's, and keep only their own; the articles
suggested on an appeal (and answered with) are of its district and the city's."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import AppealKind, Channel
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.directory.models import Jurisdiction, Region, Unit
from minxin.knowledge import selectors
from minxin.knowledge.models import Article
from minxin.knowledge.services import (
    ArticleDraft,
    appeal_answer_directly,
    article_act,
    article_create,
    article_revise,
)
from minxin.knowledge.workflow import ArticleAction
from tests.builders import District, appeal_in, appeal_new, other_district_build

from .builders import article_new

LATER = timezone.localdate() + timedelta(days=200)
# Each article answers one matter, so each is found by its own words.
TEXTS = {"A3": "犬只登记办理", "B1": "公交月票办理", "city": "公积金提取办理"}


def _draft(title: str, owner: Unit, jurisdiction: int | None = None) -> ArticleDraft:
    return ArticleDraft(
        title=title,
        body=f"{title}：携带身份证到服务大厅办理。",
        category_id=None,
        review_due=LATER,
        owner_unit_id=owner.pk,
        jurisdiction_id=jurisdiction,
    )


def _published(actor: User, draft: ArticleDraft) -> Article:
    article = article_create(actor=actor, draft=draft)
    return article_act(
        actor=actor,
        article_id=article.pk,
        action=ArticleAction.PUBLISH,
        expected_version=article.version,
    )


def _three(d: District) -> tuple[Jurisdiction, User, dict[str, Article]]:
    """A3's, B1's and the city's articles, each published by its own staff."""
    b = other_district_build(d)
    city = Unit.objects.get(name="市12345热线中心")
    city_supervisor = User.objects.create_user(
        username="city_supervisor", role=Role.SUPERVISOR, unit=city
    )
    articles = {
        "A3": article_new(d, title=TEXTS["A3"], body="携带犬只免疫证明到派出所登记。"),
        "B1": _published(
            d.user("b_supervisor"),
            _draft(TEXTS["B1"], Unit.objects.get(name="东风街道办事处")),
        ),
        "city": _published(city_supervisor, _draft(TEXTS["city"], city)),
    }
    return b, city_supervisor, articles


def test_a_district_reads_its_own_and_the_citys_and_keeps_its_own(district: District):
    d = district
    b, city_supervisor, articles = _three(d)
    assert [articles[k].jurisdiction_id for k in ("A3", "B1", "city")] == [
        d.hotline.jurisdiction_id,
        b.pk,
        None,
    ]
    b_supervisor = d.user("b_supervisor")
    listed = selectors.article_list_for(user=b_supervisor, filters=selectors.ArticleFilters())
    assert {a.title for a in listed} == {TEXTS["B1"], TEXTS["city"]}
    everything = selectors.article_list_for(
        user=city_supervisor, filters=selectors.ArticleFilters()
    )
    assert len(everything) == 3
    with pytest.raises(NotFound):
        selectors.article_get_for(user=b_supervisor, article_id=articles["A3"].pk)
    for article, refusal in ((articles["A3"], NotFound), (articles["city"], PermissionDenied)):
        with pytest.raises(refusal):
            article_act(
                actor=b_supervisor,
                article_id=article.pk,
                action=ArticleAction.RETIRE,
                expected_version=article.version,
                reason="不再适用",
            )
        with pytest.raises(refusal):
            article_revise(
                actor=b_supervisor,
                article_id=article.pk,
                expected_version=article.version,
                draft=_draft("改写", d.departments[0]),
                note="改",
            )
        assert Article.objects.get(pk=article.pk).version == article.version
    with pytest.raises(ValidationFailed, match="责任单位不属于该条目的辖区"):
        article_create(actor=b_supervisor, draft=_draft("另一条", d.departments[0]))
    with pytest.raises(ValidationFailed, match="责任单位不属于该条目的辖区"):
        article_create(actor=city_supervisor, draft=_draft("另一条", d.departments[0], b.pk))
    given = article_create(
        actor=city_supervisor,
        draft=_draft("另一条", Unit.objects.get(name="东风街道办事处"), b.pk),
    )
    assert given.jurisdiction_id == b.pk


def test_the_pages_of_a_districts_staff(client, district: District):
    d = district
    _, city_supervisor, articles = _three(d)
    client.force_login(d.user("b_supervisor"))
    page = client.get(reverse("knowledge:list")).content.decode()
    assert TEXTS["city"] in page and "全市通用" in page and TEXTS["A3"] not in page
    assert client.get(reverse("knowledge:detail", args=[articles["A3"].pk])).status_code == 404
    citys = client.get(reverse("knowledge:detail", args=[articles["city"].pk]))
    assert citys.status_code == 200 and 'name="action"' not in citys.content.decode()
    assert client.get(reverse("knowledge:edit", args=[articles["city"].pk])).status_code == 403
    own = client.get(reverse("knowledge:detail", args=[articles["B1"].pk])).content.decode()
    assert 'value="retire"' in own
    form = client.get(reverse("knowledge:new")).content.decode()
    assert 'name="jurisdiction"' not in form and "A3区城市管理局" not in form
    client.force_login(city_supervisor)
    form = client.get(reverse("knowledge:new")).content.decode()
    assert 'name="jurisdiction"' in form and "全市通用" in form


def test_the_suggestions_are_of_the_appeals_district_and_the_citys(client, district: District):
    d = district
    b, _, _ = _three(d)
    text = " ".join(TEXTS.values())
    found = {a.title for a in selectors.articles_suggested(text=text, district=b.pk)}
    assert found == {TEXTS["B1"], TEXTS["city"]}
    url = reverse("knowledge:suggest")
    a3_appeal = appeal_new(d)

    def suggested(who: str, **data: object) -> set[str]:
        client.force_login(d.user(who))
        page = client.post(url, {"text": text, "mode": "insert", **data}).content.decode()
        return {k for k, title in TEXTS.items() if title in page}

    assert suggested("b_call_taker") == {"B1", "city"}
    # A district's staff get their own district's whatever they send.
    assert suggested("b_call_taker", appeal=a3_appeal.pk) == {"B1", "city"}
    # The city's staff: the appeal's district, else the place chosen, else every district's.
    assert suggested("city_dispatcher", appeal=a3_appeal.pk) == {"A3", "city"}
    street = Region.objects.get(code="B1-01")
    assert suggested("city_dispatcher", region=street.pk) == {"B1", "city"}
    assert suggested("city_dispatcher") == {"A3", "B1", "city"}


def test_an_appeal_is_answered_directly_only_from_its_district_or_the_city(district: District):
    d = district
    _, _, articles = _three(d)
    inquiry = appeal_new(d, channel=Channel.HOTLINE, kind=AppealKind.INQUIRY, title="办理咨询")
    with pytest.raises(NotFound):
        appeal_answer_directly(
            actor=d.user("call_taker"), appeal_id=inquiry.pk, article_id=articles["B1"].pk
        )
    answered = appeal_answer_directly(
        actor=d.user("call_taker"), appeal_id=inquiry.pk, article_id=articles["city"].pk
    )
    assert answered.closed_at is not None


def _placed() -> None:
    module = importlib.import_module("minxin.knowledge.migrations.0002_article_jurisdiction")
    module.articles_placed(apps, None)


def test_the_articles_so_far_are_the_only_districts(district: District):
    d = district
    root = User.objects.create_user(username="root", role=Role.ADMIN, is_superuser=True)
    # On an install of one district nothing is the city's: an article of no district is its.
    mine = article_create(actor=root, draft=_draft("社保卡补办", d.departments[0]))
    assert mine.jurisdiction_id == d.hotline.jurisdiction_id
    Article.objects.update(jurisdiction=None)
    _placed()
    assert Article.objects.get(pk=mine.pk).jurisdiction_id == d.hotline.jurisdiction_id


def test_with_several_districts_the_articles_go_to_their_owner_units(district: District):
    d = district
    b, _, articles = _three(d)
    Article.objects.update(jurisdiction=None)
    _placed()
    assert [Article.objects.get(pk=articles[k].pk).jurisdiction_id for k in TEXTS] == [
        d.hotline.jurisdiction_id,
        b.pk,
        None,
    ]


def test_the_reply_forms_picker_asks_for_the_appeals_district(client, district: District):
    """The standard answers offered while replying are the appeal's district's and the city's
    (the picker sends the appeal: a city bureau's handler is of no district)."""
    appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
    client.force_login(district.user("handler"))
    page = client.get(reverse("cases:appeal_detail", args=[appeal.pk])).content.decode()
    assert "查找标准答复" in page
    assert f'hx-vals=\'{{"mode": "insert", "appeal": "{appeal.pk}"}}\'' in page
