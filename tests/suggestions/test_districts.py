"""People's suggestions on a city's install: each district's collection receives, reviews,
forwards and publishes its own."""

import pytest
from django.urls import reverse

from minxin.accounts.actor import Actor
from minxin.core.errors import NotFound, ValidationFailed
from minxin.directory.models import Unit
from minxin.suggestions import selectors, services
from minxin.suggestions.models import Suggestion
from minxin.suggestions.selectors import SuggestionFilters
from tests.builders import District, other_district_build

from .conftest import under_review


def test_a_district_reviews_and_forwards_its_own(district: District) -> None:
    b = other_district_build(district)
    ours = under_review(district)
    theirs = services.suggestion_submit(
        actor=Actor.citizen(),
        draft=services.SuggestionDraft(
            field="transport",
            title="东风路增设公交站",
            content="东风路两站之间距离太远，建议增设一站。",
            proposer_name="李四",
            proposer_phone="13912345678",
        ),
        district=b.pk,
    ).suggestion
    listed = selectors.suggestion_list(
        user=district.user("supervisor"), filters=SuggestionFilters()
    )
    assert list(listed) == [ours]
    with pytest.raises(NotFound):
        selectors.suggestion_get(user=district.user("b_supervisor"), suggestion_id=ours.pk)
    assert selectors.suggestion_get(user=district.user("b_supervisor"), suggestion_id=theirs.pk)
    with pytest.raises(ValidationFailed):  # a unit of another district is not offered
        services.suggestion_forward(
            suggestion_id=ours.pk,
            actor=Actor.of(district.user("supervisor")),
            expected_version=ours.version,
            unit_id=Unit.objects.get(name="东风街道办事处").pk,
            reason="",
        )
    done = services.suggestion_forward(
        suggestion_id=ours.pk,
        actor=Actor.of(district.user("supervisor")),
        expected_version=ours.version,
        unit_id=district.departments[0].pk,
        reason="",
    )
    assert done.appeal is not None
    assert done.appeal.jurisdiction_id == Suggestion.objects.get(pk=ours.pk).jurisdiction_id


def test_the_public_pages_are_the_hosts_district(client, district: District) -> None:
    b = other_district_build(district)
    submit = reverse("suggestions:submit")
    key = client.get(submit, HTTP_HOST=b.host).context["submission_key"]
    response = client.post(
        submit,
        {
            "submission_key": key,
            "field": "transport",
            "title": "东风路增设公交站",
            "content": "东风路两站之间距离太远，建议增设一站。",
            "proposer_name": "李四",
            "proposer_phone": "13912345678",
        },
        HTTP_HOST=b.host,
    )
    assert response.status_code == 302, response.content.decode()[:300]
    assert Suggestion.objects.get(title="东风路增设公交站").jurisdiction_id == b.pk
