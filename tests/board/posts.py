"""Helpers for the message-board tests: a post through the real services."""

from minxin.board.models import BoardPost
from minxin.board.services import post_create, post_moderate
from tests.builders import District

PHONE = "13912345678"


def post_new(**overrides: object) -> BoardPost:
    values: dict[str, object] = {
        "nickname": "怡居居民",
        "kind": "complaint",
        "title": "怡居小区门口路灯不亮",
        "content": "怡居小区东门路灯坏了一个月，晚上很黑，老人出行不便。",
        "phone": PHONE,
    }
    values.update(overrides)
    return post_create(**values).post  # type: ignore[arg-type]


def post_published(d: District, **overrides: object) -> BoardPost:
    post = post_new(**overrides)
    return post_moderate(
        actor=d.user("dispatcher"), post_id=post.pk, action="publish", expected_version=1
    )
