"""Demo: the citizen adds to an appeal (补充). Two appeals on the main handler's street, through
the real services: one waiting on the citizen (the handler asked for the building and a photo;
the tracking page offers the form), one the citizen has already supplemented with a photo, so
the appeal is back in progress with its clock shifted. Their SMS records are written too."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import services as cases
from minxin.cases.models import Channel, Supplement
from minxin.cases.workflow import Action
from minxin.core.session import one_time_key_new
from minxin.directory.models import Category, Region, RegionLevel

from . import district as d
from . import walk

APPEALS = [
    (
        "小区门口共享单车堆放堵路",
        "每天早上小区东门口堆满共享单车，老人和推婴儿车的居民很难通过，希望尽快清理并规范停放。",
        "刘女士",
        "13907310021",
        "请补充具体是哪个小区的东门，以及堆放最严重的时段，最好拍一张现场照片。",
        "",
    ),
    (
        "楼下餐馆油烟直排扰民",
        "楼下新开的餐馆油烟直接排到居民楼，晚上开窗满屋油烟味，希望有关部门督促安装净化设施。",
        "陈先生",
        "13907310022",
        "请补充餐馆的店名和门牌号，以及油烟最重的时间段。",
        "店名是“湘味小厨”，在景蓉华苑南门临街的12号门面，每天17点到21点油烟最重，照片是昨晚拍的排烟口。",
    ),
]


def _photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), (196, 204, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, 640, 480), fill=(120, 120, 118))  # the pavement
    draw.rectangle((250, 120, 390, 330), fill=(150, 110, 80))  # the shopfront
    draw.rectangle((400, 60, 430, 200), fill=(90, 90, 90))  # the exhaust pipe
    for n in range(5):
        draw.ellipse((395 - n * 12, 30 - n * 10, 445 + n * 12, 70 - n * 6), fill=(230, 230, 230))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("排烟口.jpg", buffer.getvalue(), content_type="image/jpeg")


def supplements_seed() -> int:
    """The appeals made (0 when a supplement exists or the street is missing)."""
    handler = User.objects.filter(username=d.MAIN_HANDLER, role=Role.HANDLER).first()
    dispatcher = User.objects.filter(role=Role.DISPATCHER).order_by("pk").first()
    street = Region.objects.filter(name=d.SUBDISTRICTS[0][1]).first()
    category = Category.objects.filter(level=3, is_active=True).order_by("pk").first()
    if handler is None or dispatcher is None or street is None or category is None:
        return 0
    if Supplement.objects.exists() or handler.unit_id is None:
        return 0
    community = (
        Region.objects.filter(parent=street, level=RegionLevel.COMMUNITY).order_by("code").first()
    )
    staff, handling = Actor.of(dispatcher), Actor.of(handler)
    for text in APPEALS:
        asked, added = text[4:]
        appeal = walk.appeal_new(text, channel=Channel.WEB)
        walk.dispatched(
            appeal.pk,
            staff=staff,
            category_id=category.pk,
            region_id=community.pk if community else None,
            unit_id=handler.unit_id,
        )
        walk.acted(
            appeal.pk,
            handling,
            [
                (Action.ACCEPT, ""),
                (Action.FIRST_CONTACT, "已电话联系诉求人，了解基本情况"),
                (Action.SUSPEND, asked),
            ],
        )
        if added:
            cases.appeal_supplement(
                appeal_id=appeal.pk,
                actor=Actor.citizen(),
                expected_version=walk.version(appeal.pk),
                content=added,
                photos=[_photo()],
                submission_key=one_time_key_new(),
            )
    return len(APPEALS)
