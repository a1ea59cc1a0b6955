"""Topics made through the real services."""

from minxin.deliberation.models import Topic
from minxin.deliberation.services import TopicDraft, topic_propose
from minxin.notify.phone import phone_hash
from tests.builders import District


def hashed(n: int) -> str:
    return phone_hash(f"1391234{n:04d}")


def topic_new(d: District, *, by_resident: bool = True, **overrides: object) -> Topic:
    fields: dict[str, object] = {
        "title": "景蓉华苑闲置空地改建口袋公园",
        "description": "小区东侧空地长期堆放杂物，建议改建口袋公园，增设座椅和健身器材。",
        "region_id": d.communities[0].pk,
        "proposer": "景蓉居民",
    }
    fields.update(overrides)
    draft = TopicDraft(**fields)  # type: ignore[arg-type]
    if by_resident:
        return topic_propose(draft=draft, phone_hash=hashed(0))
    return topic_propose(draft=draft, actor=d.user("handler"))
