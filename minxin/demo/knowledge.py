"""The demo's 知识库: three dozen articles the district's hotline answers from (policy answers
and procedures of its departments, by category, each with its owner unit and a review date,
some revised), a draft awaiting publication, one retired, a few past their review date; and a
handful of hotline inquiries answered directly from them (直接答复). Through the services.
Once: skipped when an article exists."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import AppealKind, Channel
from minxin.cases.services import AppealDraft
from minxin.directory.models import Category, Unit
from minxin.intake.services import appeal_receive_answered
from minxin.knowledge.models import Article
from minxin.knowledge.services import ArticleDraft, article_act, article_create, article_revise
from minxin.knowledge.workflow import ArticleAction

from . import district as d

# (category path, owner department's slug, title, answer)
ARTICLES: list[tuple[str, str, str, str]] = [
    (
        "教育文体",
        "jyj",
        "适龄儿童小学入学报名需要哪些材料",
        "按学区划片入学。报名需提供：1.儿童户口簿（或居住证）；2.父母一方在学区内的房产证或不动产权证，租住的提供住房租赁备案证明；3.儿童预防接种证。报名时间为每年6月上旬，网上报名后到学校现场审核。详询区教育局招生办。",
    ),
    (
        "教育文体",
        "jyj",
        "非本区户籍子女能否在本区上公办小学",
        "随迁子女凭父母一方在本区的居住证（满一年）和社保缴纳证明，可申请公办学校学位，由区教育局按就近原则统筹安排。材料不全的，可先登记，补齐后再安排。",
    ),
    (
        "教育文体",
        "jyj",
        "校外培训机构退费纠纷怎么处理",
        "先与机构协商并保留合同、缴费凭证；协商不成的，可向区教育局（学科类）或区市场监督管理局（非学科类、价格和合同问题）投诉，也可申请人民调解或向法院起诉。",
    ),
    (
        "劳动和社会保障",
        "rsj",
        "被拖欠工资如何投诉",
        "可携带身份证、劳动合同或其他用工证明（工资条、考勤记录、聊天记录等）到区劳动保障监察大队投诉，也可通过12345热线登记。农民工工资争议优先处理，受理后一般在30个工作日内办结。",
    ),
    (
        "劳动和社会保障",
        "rsj",
        "失业保险金怎么申领",
        "非本人意愿中断就业、缴纳失业保险满一年并已办理失业登记的，可通过“电子社保卡”或到区人社局服务大厅申领，按月发放，期限根据缴费年限确定，最长24个月。",
    ),
    (
        "劳动和社会保障",
        "rsj",
        "灵活就业人员如何参加养老保险",
        "年满16周岁的灵活就业人员可持身份证到区社保服务大厅或通过网上经办办理参保登记，按当地缴费基数的60%至300%之间自选档次缴费。",
    ),
    (
        "劳动和社会保障/城镇居民社会保险",
        "ybj",
        "城乡居民医保什么时候缴费",
        "每年9月至12月为集中缴费期，缴纳次年的居民医保，可通过税务APP、微信或银行代缴。新生儿出生90天内参保的，自出生之日起享受待遇。",
    ),
    (
        "劳动和社会保障/城镇居民社会保险",
        "ybj",
        "异地就医如何备案",
        "跨省异地长期居住或临时外出就医的，可通过国家医保服务平台APP或区医保局窗口办理备案，备案后在定点医院直接结算。急诊抢救可先就医后补办备案。",
    ),
    (
        "民政",
        "mzj",
        "申请最低生活保障的条件和流程",
        "家庭人均收入低于本地低保标准且财产符合规定的，向户籍所在街道（镇）提出申请，经入户调查、民主评议和公示后由区民政局审批，一般30个工作日内办结。",
    ),
    (
        "民政",
        "mzj",
        "80周岁以上老人高龄津贴怎么领",
        "本区户籍年满80周岁的老人，由本人或家属持身份证、户口簿到社区登记，次月起按月发放至本人社保卡。已登记的无需每年重复申请。",
    ),
    (
        "民政",
        "mzj",
        "婚姻登记需要预约吗",
        "结婚登记、离婚登记均实行网上预约，可通过“婚姻登记预约”小程序选择时间；双方须本人到场，携带身份证、户口簿和近期合影照片。",
    ),
    (
        "民政/社会救助",
        "mzj",
        "遇到突发困难如何申请临时救助",
        "因火灾、交通事故、重大疾病等导致基本生活暂时出现严重困难的家庭或个人，可向所在街道（镇）申请临时救助，情况紧急的可先行救助后补办手续。",
    ),
    (
        "城乡建设",
        "zjj",
        "老旧小区加装电梯怎么申请",
        "由本单元业主协商一致（参与表决的业主三分之二以上同意）后，委托实施主体向所在街道提交申请、设计方案和业主意见；审批通过后施工，竣工验收合格的按每台最高20万元给予补贴。",
    ),
    (
        "城乡建设",
        "zjj",
        "物业服务企业不履行合同怎么办",
        "可先向物业服务企业书面提出，协商不成的向社区居委会或街道物业管理办公室反映；涉及收费标准的可向区市场监督管理局反映，也可由业主大会依法另聘物业。",
    ),
    (
        "城乡建设",
        "zjj",
        "住宅专项维修资金如何使用",
        "电梯、屋面、外墙等共用部位设施维修，由业主委员会或物业提出方案，经专有部分面积和人数双过半业主同意后，向区住建局申请划拨；危及安全的可走应急使用程序。",
    ),
    (
        "城乡建设",
        "zjj",
        "商品房延期交房如何维权",
        "保存购房合同和付款凭证，先与开发商协商违约金；可向区住建局投诉，也可申请仲裁或向法院起诉。已办理预售资金监管的，住建局将督促开发商按合同履约。",
    ),
    (
        "城乡建设/城市建设和市政管理/环境卫生",
        "cgzf",
        "生活垃圾分类投放时间和要求",
        "居民小区实行定时定点投放，一般为早7:00至9:00、晚18:00至20:00。厨余垃圾沥干水分破袋投放，可回收物、有害垃圾投放到对应容器，大件垃圾预约清运。",
    ),
    (
        "城乡建设/城市建设和市政管理",
        "cgzf",
        "占道经营和流动摊贩扰民如何处理",
        "由城管执法部门依法劝导、查处，晚间烧烤油烟和噪音扰民的由城管执法与生态环境部门联合处置。来电请说明具体地点和时段，以便安排巡查。",
    ),
    (
        "城乡建设/城市建设和市政管理",
        "cgzf",
        "违章搭建怎么举报",
        "可拨打12345热线或向所在街道综合执法队举报，请说明具体地址、搭建时间和规模。经查实的，由执法部门责令限期拆除，逾期不拆的依法强制拆除。",
    ),
    (
        "城乡建设/城市建设和市政管理/自来水供应",
        "water",
        "家中突然停水怎么办",
        "先查看小区公告是否为计划停水；非计划停水的请拨打供水服务热线报修，说明地址和停水范围。计划停水会提前24小时公告，抢修一般在4小时内恢复。",
    ),
    (
        "城乡建设/城市建设和市政管理/燃气供应",
        "gas",
        "闻到燃气泄漏气味怎么办",
        "立即关闭燃气总阀，打开门窗通风，不要开关电器、不要使用明火和手机，到室外安全处拨打燃气抢修电话或119。抢修人员一般30分钟内到场。",
    ),
    (
        "城乡建设/城市建设和市政管理/电力供应",
        "power",
        "居民用电故障报修",
        "户内线路问题请联系物业或电工；整栋楼或片区停电请拨打95598报修，说明地址和停电时间。抢修恢复时间一般城区不超过4小时。",
    ),
    (
        "交通运输",
        "jtys",
        "公交线路调整和站点设置建议怎么提",
        "可通过12345热线或区交通运输局网站提交，写明线路号、站点和建议理由。交通部门每季度汇总评估，采纳情况在网站公布。",
    ),
    (
        "交通运输",
        "jtys",
        "出租车拒载、绕路如何投诉",
        "请记下车牌号、乘车时间和起止地点，保留发票或行程单，拨打12345热线投诉。经查实的，由交通运输执法部门依法处罚并反馈结果。",
    ),
    (
        "环境保护",
        "sthj",
        "夜间施工噪音扰民投诉",
        "夜间22:00至次日6:00禁止产生环境噪声污染的建筑施工作业，因工艺需要连续作业的须取得夜间施工证明并公告。无证夜间施工可拨打12345或生态环境分局值班电话投诉。",
    ),
    (
        "环境保护",
        "sthj",
        "餐饮油烟扰民怎么反映",
        "餐饮单位应安装油烟净化设施并正常使用。居民反映油烟扰民的，由生态环境部门检测、城管执法部门查处露天烧烤。请说明店名和地址。",
    ),
    (
        "卫生计生",
        "wjj",
        "新生儿出生医学证明办理",
        "在本区医院出生的，出院前由医院办理；出院后补办的，父母双方携带身份证、结婚证到出生医院办理。首次签发免费。",
    ),
    (
        "卫生计生",
        "wjj",
        "家庭医生签约服务怎么办理",
        "到就近的社区卫生服务中心或通过“健康A市”APP签约，签约后可享受健康评估、慢病随访、预约转诊等服务，65岁以上老人每年一次免费体检。",
    ),
    (
        "卫生计生/食品药品监管",
        "scjg",
        "买到过期食品如何投诉",
        "保留商品、购物小票和拍照凭证，可向经营者要求退货并按规定赔偿；协商不成的拨打12315或12345投诉，由市场监督管理部门调查处理。",
    ),
    (
        "商贸旅游/市场监管",
        "scjg",
        "预付卡商家关门跑路怎么办",
        "保存好预付卡、合同和消费记录，向区市场监督管理局登记；涉嫌诈骗的向公安机关报案。单用途预付卡经营者须按规定备案和资金存管。",
    ),
    (
        "商贸旅游/市场监管",
        "scjg",
        "个体工商户营业执照怎么办",
        "可通过“政务服务网”全程网办，或到区政务服务中心市场监管窗口办理，材料齐全的当场发照。需提供经营者身份证和经营场所证明。",
    ),
    (
        "政法",
        "gaj",
        "居住证怎么办理",
        "在本区居住满半年，有合法稳定就业、稳定住所或连续就读条件之一的，可持身份证、居住证明到社区警务室或派出所申请，15个工作日内制证。",
    ),
    (
        "政法",
        "gaj",
        "身份证丢失如何补办",
        "本人持户口簿到任一派出所户籍窗口或政务服务中心办理，可同时申领临时身份证。跨省补办的同样就近办理，一般20个工作日内制证。",
    ),
    (
        "政法",
        "gaj",
        "养犬登记和文明养犬",
        "养犬人须持犬只免疫证明到辖区派出所办理养犬登记，出户遛犬须束犬链并清理粪便。烈性犬禁止饲养。犬只扰民、伤人的可报警或拨打12345。",
    ),
    (
        "政法/法律服务",
        "sfj",
        "如何申请法律援助",
        "经济困难并涉及追索劳动报酬、工伤赔偿、赡养费等事项的，可到区公共法律服务中心申请法律援助，农民工讨薪不审查经济状况。也可拨打12348咨询。",
    ),
    (
        "政法/仲裁与调解",
        "sfj",
        "邻里纠纷可以找谁调解",
        "可向社区人民调解委员会申请调解，调解免费；达成的调解协议可申请司法确认。涉及违法行为的由派出所处理。",
    ),
]
RETIRED = "80周岁以上老人高龄津贴怎么领"
DRAFT = "灵活就业人员如何参加养老保险"
REVISED = {
    "老旧小区加装电梯怎么申请": "补贴标准调整：自今年起每台最高补贴25万元，"
    "并可申请使用住宅专项维修资金。其余要求不变：由本单元业主协商一致（参与表决的业主三分之二以上同意）"
    "后，委托实施主体向所在街道提交申请、设计方案和业主意见；审批通过后施工，竣工验收合格后拨付补贴。",
}
# Inquiries the hotline answered on the spot: (title, what the caller said, article title).
ANSWERED = [
    ("咨询孩子上小学报名材料", "孩子今年满六岁，想问报名要准备哪些材料",
     "适龄儿童小学入学报名需要哪些材料"),
    ("咨询居民医保缴费时间", "想问明年的居民医保什么时候交，在哪里交", "城乡居民医保什么时候缴费"),
    ("咨询身份证丢失补办", "身份证丢了，户口在外省，能不能在本区补办", "身份证丢失如何补办"),
    ("咨询加装电梯补贴", "我们单元想加装电梯，想了解怎么申请、补贴多少",
     "老旧小区加装电梯怎么申请"),
    ("咨询垃圾投放时间", "小区垃圾分类以后几点可以扔垃圾", "生活垃圾分类投放时间和要求"),
]  # fmt: skip


def knowledge_seed(*, now: datetime | None = None) -> int:
    """The articles written (0 when some exist or the demo has no supervisor): most published,
    a few due for review, two revised, one retired; and inquiries answered from them."""
    now = now or timezone.now()
    centre = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    caller = User.objects.filter(role=Role.CALL_TAKER, unit__isnull=False).order_by("pk").first()
    if centre is None or Article.objects.exists():
        return 0
    made = _written(centre, now=now)
    today = timezone.localdate(now)
    for title, body in REVISED.items():
        article = made[title]
        made[title] = article_revise(
            actor=centre,
            article_id=article.pk,
            expected_version=article.version,
            draft=ArticleDraft(
                title=title,
                body=body,
                category_id=article.category_id,
                review_due=today + timedelta(days=365),
            ),
            note="按今年的补贴政策更新",
            at=now - timedelta(days=10),
        )
    retired = made[RETIRED]
    article_act(
        actor=centre,
        article_id=retired.pk,
        action=ArticleAction.RETIRE,
        expected_version=retired.version,
        reason="高龄津贴已并入老年人综合津贴，另见新条目",
        at=now - timedelta(days=5),
    )
    if caller is not None:
        _inquiries_answered(caller, made)
    return len(made)


def _written(centre: User, *, now: datetime) -> dict[str, Article]:
    """ARTICLES written, each owned by its unit, and published (DRAFT stays a draft); a few
    are due for review already: written long ago, due a few days back."""
    units = {slug: Unit.objects.filter(name=name).first() for slug, name, _ in d.DEPARTMENTS}
    units |= {slug: Unit.objects.filter(name=name).first() for slug, name, _ in d.ENTERPRISES}
    categories = {c.path_name: c.pk for c in Category.objects.filter(level__lte=3)}
    today = timezone.localdate(now)
    made: dict[str, Article] = {}
    for n, (path, slug, title, body) in enumerate(ARTICLES):
        unit = units.get(slug)
        if unit is None:
            continue
        due = today + timedelta(days=30 + 11 * n) if n % 9 else today - timedelta(days=3 + n % 5)
        written = now - timedelta(days=400 + n) if due < today else now - timedelta(days=60 + n)
        article = article_create(
            actor=centre,
            draft=ArticleDraft(
                title=title,
                body=body,
                category_id=categories.get(path),
                review_due=due,
                owner_unit_id=unit.pk,
            ),
            at=written,
        )
        if title != DRAFT:
            article = article_act(
                actor=centre,
                article_id=article.pk,
                action=ArticleAction.PUBLISH,
                expected_version=article.version,
                at=written + timedelta(hours=2),
            )
        made[title] = article
    return made


def _inquiries_answered(caller: User, made: dict[str, Article]) -> None:
    """Hotline inquiries answered on the spot from an article (直接答复)."""
    for n, (title, said, source) in enumerate(ANSWERED):
        appeal_receive_answered(
            actor=caller,
            draft=AppealDraft(
                channel=Channel.HOTLINE,
                kind=AppealKind.INQUIRY,
                title=title,
                content=said,
                appellant_name="市民",
                appellant_phone=f"1390731{n:04d}",
            ),
            article_id=made[source].pk,
        )
