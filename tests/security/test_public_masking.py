"""Issue 16 item 8: the public feed published an ID number with a bad check digit and a full
house address. Public text is masked by a stricter rule than staff text (core/privacy.py):
one rule for staff, one for everything the public reads."""

import pytest
from django.test import Client

from minxin.board.models import BoardPost
from minxin.board.services import post_create, post_moderate
from minxin.cases.models import Channel
from minxin.core.privacy import find_personal_data, mask_personal_data, mask_public_text
from minxin.open311.services import api_key_create
from tests.builders import District, appeal_new

BAD_CHECKSUM_ID = "430102199001011235"  # ID-shaped, check digit wrong
ADDRESS = "景蓉华苑3栋2单元501室"


@pytest.mark.parametrize(
    ("text", "public"),
    [
        (f"身份证{BAD_CHECKSUM_ID}", "身份证430*************35"),
        ("身份证43010219900101123x号", "身份证430*************3x号"),
        ("老身份证430102900101123", "老身份证430**********23"),
        ("ID430102199001011235", "ID430*************35"),  # a letter before it hides nothing
        (f"住{ADDRESS}", "住景蓉华苑*栋*单元***室"),
        ("12号楼1单元302漏水", "**号楼*单元***漏水"),
        ("桂花路12号", "桂花路**号"),
        ("5-1-302室", "*-*-***室"),
        ("王建国先生说", "王**先生说"),
        ("李女士和刘阿姨", "*女士和*阿姨"),
        ("张某某反映", "*某某反映"),
        ("电话88886666", "电话888***66"),
        ("座机0731 8888 6666", "座机073*********66"),
        ("手机13812345678", "手机138******78"),
    ],
)
def test_the_public_rule_masks_more(text: str, public: str) -> None:
    assert mask_public_text(text) == public
    assert len(public) == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "张家界王府井李家村马王堆周家湾社区黄山路高新区东方明珠",  # place names
        "12月3号停水，第3号通知，地铁2号线1号门，3楼大厅",  # dates, ranks, lines, floors
        "受理编号2026112100042，投入资金120000元，A3区",  # tracking numbers and amounts
        "门卫大爷、施工师傅和班主任老师都说好",  # roles before an honorific
        "和某些居民",
    ],
)
def test_the_public_rule_leaves_places_dates_and_roles(text: str) -> None:
    assert mask_public_text(text) == text


def test_the_staff_rule_stays_as_it_was() -> None:
    text = f"身份证{BAD_CHECKSUM_ID}，{ADDRESS}，王建国先生"
    assert mask_personal_data(text) == text  # staff read the appeal as written
    kinds = {s.kind for s in find_personal_data(text, public=True)}
    assert kinds == {"id_card", "house", "name"}


def test_the_open311_feed(client: Client, district: District) -> None:
    key = api_key_create(name="客户端")[1]
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": str(district.category.pk),
            "address_string": ADDRESS,
            "description": f"王建国先生身份证{BAD_CHECKSUM_ID}，家住{ADDRESS}，电话88886666",
        },
    )
    assert response.status_code == 200
    number = response.json()[0]["service_request_id"]
    for fmt in ("json", "xml"):
        body = client.get(f"/open311/v2/requests/{number}.{fmt}").content.decode()
        for leak in (BAD_CHECKSUM_ID, "501", "王建国", "88886666"):
            assert leak not in body, (fmt, leak)
        assert "景蓉华苑*栋*单元***室" in body


def test_the_message_board(client: Client, district: District) -> None:
    created = post_create(
        nickname="居民",
        kind="complaint",
        title="3栋漏水",
        content=f"李女士家住{ADDRESS}，身份证{BAD_CHECKSUM_ID}",
        phone="",
    )
    post_moderate(
        post_id=created.post.pk,
        actor=district.user("dispatcher"),
        action="publish",
        expected_version=created.post.version,
    )
    post = BoardPost.objects.get()
    assert BAD_CHECKSUM_ID not in post.public_content and "501" not in post.public_content
    for url in ("/board/", f"/board/{post.pk}/"):
        page = client.get(url).content.decode()
        assert BAD_CHECKSUM_ID not in page and "501室" not in page and "李女士" not in page


def test_an_adopted_suggestion_and_a_project_page_use_the_public_rule(district: District) -> None:
    from minxin.projects.templatetags.projects_public import public_text

    assert public_text(f"联系王建国先生，{ADDRESS}") == "联系王**先生，景蓉华苑*栋*单元***室"
    appeal = appeal_new(district, channel=Channel.WEB, content=f"{ADDRESS}漏水")
    assert mask_public_text(appeal.content) == "景蓉华苑*栋*单元***室漏水"


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("景蓉小区3栋", "景蓉小区3栋"),  # a building: where the lift goes in
        ("景蓉华苑12号楼2单元", "景蓉华苑12号楼2单元"),
        ("桂花坪A栋、2-1幢", "桂花坪A栋、2-1幢"),
        (ADDRESS, "景蓉华苑*栋*单元***室"),  # a room is someone's home
        ("12号楼1单元302", "**号楼*单元***"),
        ("桂花路12号", "桂花路**号"),
        ("王建国先生家门口，电话13912345678", "王**先生家门口，电话139******78"),
    ],
)
def test_a_place_keeps_its_building_and_masks_a_home(text: str, public: str) -> None:
    """A project's point on its public page (issue 12): core.privacy.mask_public_place."""
    from minxin.core.privacy import mask_public_place

    assert mask_public_place(text) == public
