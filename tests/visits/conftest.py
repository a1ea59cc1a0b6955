from datetime import timedelta

from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.visits import services
from minxin.visits.models import Visit


def visit_draft(district, **overrides) -> services.VisitDraft:
    values = {
        "place_text": "景蓉华苑小区",
        "visited_at": timezone.now() - timedelta(hours=2),
        "met_text": "小区居民代表王女士、物业经理",
        "region_id": district.communities[0].pk,
        "participant_ids": (district.user("handler").pk,),
        "participants_text": "李明 社区书记",
        "notes": "了解小区环境整治情况。",
    }
    values.update(overrides)
    return services.VisitDraft(**values)


MATTERS = [
    services.MatterDraft(
        kind="help",
        title="3栋楼道灯坏了两个月",
        content="3栋2单元楼道灯坏了两个月无人维修。",
        raiser_name="王阿姨",
        raiser_phone="13612345678",
    ),
    services.MatterDraft(
        kind="complaint",
        title="小区门口占道经营",
        content="早市摊贩占用消防通道。",
    ),
]


def visit_record(district, key="handler", matters=MATTERS, submission_key=None, **overrides):
    return services.visit_record(
        actor=Actor.of(district.user(key)),
        draft=visit_draft(district, **overrides),
        matters=matters,
        submission_key=submission_key,
    )


def visit_of(district, key="handler") -> Visit:
    return visit_record(district, key=key).visit
