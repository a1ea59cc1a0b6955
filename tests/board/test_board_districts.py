"""The board on a city's install: each district's site lists and shows its own posts, and
each district's moderators moderate only theirs."""

import pytest
from django.urls import reverse

from minxin.board.services import post_moderate
from minxin.core.errors import NotFound
from tests.builders import District, other_district_build

from .posts import post_new, post_published


def test_each_host_lists_and_shows_its_own_districts_posts(client, district: District) -> None:
    b = other_district_build(district)
    ours = post_published(district, title="桂花坪路灯不亮")
    theirs = post_new(title="东风路井盖缺失", district=b.pk)
    post_moderate(
        actor=district.user("b_dispatcher"), post_id=theirs.pk, action="publish", expected_version=1
    )
    on_b = client.get(reverse("board:board_list"), HTTP_HOST=b.host).content.decode()
    on_a = client.get(reverse("board:board_list")).content.decode()
    assert "东风路井盖缺失" in on_b and "桂花坪路灯不亮" not in on_b
    assert "桂花坪路灯不亮" in on_a and "东风路井盖缺失" not in on_a
    ours_url = reverse("board:post_detail", args=[ours.pk])
    assert client.get(ours_url, HTTP_HOST=b.host).status_code == 404
    assert client.get(ours_url).status_code == 200


def test_a_moderator_of_another_district_cannot_moderate_the_post(district: District) -> None:
    other_district_build(district)
    post = post_new()
    with pytest.raises(NotFound):
        post_moderate(
            actor=district.user("b_dispatcher"),
            post_id=post.pk,
            action="publish",
            expected_version=1,
        )
    post.refresh_from_db()
    assert post.version == 1 and post.status == "pending"
    published = post_moderate(
        actor=district.user("city_dispatcher"),
        post_id=post.pk,
        action="publish",
        expected_version=1,
    )
    assert published.status == "published"
