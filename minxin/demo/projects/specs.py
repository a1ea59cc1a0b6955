"""The demo's livelihood projects as their office would describe them: twelve projects in
every status, each with its lead and assisting units, places, budget, dates relative to
today, targets (with the share reached and, for a multi-year plan, its yearly parts) and
milestones as shares of its days."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from minxin.projects.models import Origin, ProjectKind
from minxin.projects.workflow import ProjectStatus

S = ProjectStatus
K = ProjectKind


# The pages put the year before the name: "2026 · 民心工程", the year's 民心工程.
PROGRAMME: Final = "民心工程"


@dataclass(frozen=True)
class TargetSpec:
    name: str
    value: int
    measure: str
    reached: float  # share of the value reached at the last report (over 1 allowed)
    unit: str | None = None  # a unit key (below); None: the lead unit
    years: tuple[int, ...] = ()  # a multi-year target's parts, from the start year


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    kind: str
    lead: str
    regions: tuple[str, ...]
    summary: str
    budget: int  # 万元
    start: int  # days from today
    end: int  # days from today; 0: the last day of the year after next (a multi-year plan)
    status: str
    targets: tuple[TargetSpec, ...]
    milestones: tuple[tuple[str, float, str], ...]  # name, share of the time, task
    assisting: tuple[str, ...] = ()
    origin: str = Origin.OFFICE
    origin_note: str = ""
    behind: bool = False  # the last milestone due is left undone
    suspended: int = 0  # days from today
    completed: int = 0
    accepted: int = 0
    revisit: int = 0
    correction: tuple[int, int, str] | None = None  # target index, amount taken back, reason
    words: tuple[str, ...] = ()  # looked for in appeals when none is suggested


# Unit keys: a department's slug (district.DEPARTMENTS) or "office:<street slug>".
PROJECTS: Final[tuple[ProjectSpec, ...]] = (
    ProjectSpec(
        name="桂花坪片区旧区改造（二期）",
        kind=K.OLD_AREA,
        lead="zjj",
        assisting=("office:guihuaping",),
        regions=("桂花坪社区", "金桂社区"),
        summary="对桂花坪片区二级旧里以下房屋实施成片改造，改善860户居民居住条件。",
        budget=18600,
        start=-300,
        end=65,
        status=S.IN_PROGRESS,
        targets=(
            TargetSpec("旧区改造面积", 45000, "平方米", 0.86),
            TargetSpec("受益居民", 860, "户", 0.83, unit="office:guihuaping"),
        ),
        milestones=(
            ("征收意见征询", 0.12, "两轮意见征询，同意率达到90%以上"),
            ("签约与搬迁", 0.30, "居民签约、搬迁安置"),
            ("拆除与施工", 0.45, "房屋拆除、主体施工"),
            ("竣工验收", 0.13, "竣工验收、回搬安置"),
        ),
        correction=(1, 36, "核查发现36户重复统计，更正累计数"),
        words=("旧改", "拆迁", "征收", "改造"),
    ),
    ProjectSpec(
        name="景蓉社区既有多层住宅加装电梯",
        kind=K.ELEVATOR,
        lead="office:guihuaping",
        assisting=("zjj",),
        regions=("景蓉社区",),
        summary="在景蓉小区等既有多层住宅加装电梯36台，方便老年人上下楼。",
        budget=2880,
        start=-240,
        end=60,
        status=S.IN_PROGRESS,
        behind=True,
        targets=(
            TargetSpec("加装电梯", 36, "台", 0.42),
            TargetSpec("受益居民", 432, "户", 0.45),
        ),
        milestones=(
            ("居民意见征询", 0.15, "逐栋征询，形成加装协议"),
            ("设计与审批", 0.20, "方案设计、规划审批"),
            ("施工安装", 0.50, "基础施工、井道与电梯安装"),
            ("验收交付", 0.15, "特种设备验收、交付使用"),
        ),
        words=("电梯",),
    ),
    ProjectSpec(
        name="社区嵌入式养老服务设施建设",
        kind=K.ELDERLY,
        lead="mzj",
        assisting=("wjj", "office:yanghu"),
        regions=("白鹭社区", "洋湖社区", "湘府社区"),
        summary="新建社区养老服务中心和长者食堂，新增养老床位，打造15分钟养老服务圈。",
        budget=6400,
        start=-210,
        end=110,
        status=S.IN_PROGRESS,
        behind=True,
        targets=(
            TargetSpec("社区养老服务中心", 4, "个", 0.25),
            TargetSpec("长者食堂", 6, "个", 0.5, unit="office:yanghu"),
            TargetSpec("新增养老床位", 180, "张", 0.38, unit="wjj"),
        ),
        milestones=(
            ("选址与方案", 0.20, "选址、功能方案"),
            ("改造施工", 0.50, "场地改造、适老化装修"),
            ("设备配置与运营招标", 0.20, "设备配置、运营机构招标"),
            ("开业运营", 0.10, "试运营、开业"),
        ),
        words=("养老", "老人", "助餐"),
    ),
    ProjectSpec(
        name="老旧小区“三旧”变“三新”改造（三年行动）",
        kind=K.ESTATE,
        lead="zjj",
        assisting=("cgzf", "office:wangyuehu", "office:yinpenling"),
        regions=("银杉社区", "望月社区", "桐梓坡社区"),
        summary="旧房子、旧设施、旧环境变成新房子、新设施、新环境：三年完成36万平方米老旧小区改造。",
        budget=52000,
        start=-280,
        end=0,
        status=S.IN_PROGRESS,
        targets=(
            TargetSpec("改造面积", 360000, "平方米", 0.27, years=(100000, 130000, 130000)),
            TargetSpec("受益居民", 7200, "户", 0.29, years=(2000, 2600, 2600)),
            TargetSpec("加装电梯", 60, "台", 0.2, unit="office:wangyuehu", years=(12, 24, 24)),
        ),
        milestones=(
            ("第一年度改造", 0.33, "银杉、望月片区改造"),
            ("第二年度改造", 0.33, "桐梓坡片区改造"),
            ("第三年度改造与整体验收", 0.34, "收尾改造、整体验收"),
        ),
        words=("小区", "改造", "管网"),
    ),
    ProjectSpec(
        name="“早餐工程”便民网点建设",
        kind=K.BREAKFAST,
        lead="swj",
        assisting=("scjg",),
        regions=("梅溪湖社区", "骑龙社区", "学士社区"),
        summary="新建、改建早餐网点，投放流动早餐车，解决居民“买早餐难”。",
        budget=900,
        start=-330,
        end=-20,
        status=S.COMPLETED,
        completed=-28,
        targets=(
            TargetSpec("新建改建早餐网点", 30, "个", 1.36),
            TargetSpec("流动早餐车", 12, "台", 1.25, unit="scjg"),
        ),
        milestones=(
            ("点位规划", 0.20, "摸排需求、规划点位"),
            ("网点建设", 0.60, "网点建设与改造"),
            ("开业运营", 0.20, "网点开业、早餐车投放"),
        ),
        words=("早餐", "早点"),
    ),
    ProjectSpec(
        name="中小学体育场地向社会开放",
        kind=K.SPORTS,
        lead="jyj",
        assisting=("wlj",),
        regions=("学士社区", "咸嘉新村社区"),
        summary="具备条件的中小学在课余时间和节假日向周边居民开放体育场地。",
        budget=600,
        start=-330,
        end=-150,
        status=S.ACCEPTED,
        completed=-160,
        accepted=-130,
        revisit=-15,
        targets=(
            TargetSpec("开放学校", 18, "个", 1.11),
            TargetSpec("改造开放通道", 10, "个", 1.0, unit="wlj"),
        ),
        milestones=(
            ("学校摸排与安全评估", 0.30, "逐校评估开放条件"),
            ("隔离设施与通道改造", 0.50, "教学区隔离、独立通道"),
            ("预约开放", 0.20, "线上预约、对外开放"),
        ),
        words=("操场", "体育", "运动场"),
    ),
    ProjectSpec(
        name="望月湖片区旧区改造（一期）",
        kind=K.OLD_AREA,
        lead="office:wangyuehu",
        assisting=("zjj",),
        regions=("岳华社区", "望月社区"),
        summary="完成望月湖片区一期旧区改造收尾和回搬安置。",
        budget=9800,
        start=-320,
        end=-60,
        status=S.ACCEPTED,
        completed=-70,
        accepted=-45,
        targets=(
            TargetSpec("旧区改造面积", 28000, "平方米", 1.02),
            TargetSpec("受益居民", 520, "户", 1.03),
        ),
        milestones=(
            ("签约搬迁", 0.35, "剩余居民签约搬迁"),
            ("主体施工", 0.50, "主体施工"),
            ("回搬安置", 0.15, "回搬安置、竣工验收"),
        ),
        words=("旧改", "改造", "拆迁"),
    ),
    ProjectSpec(
        name="银盆岭街道多层住宅加装电梯",
        kind=K.ELEVATOR,
        lead="office:yinpenling",
        assisting=("zjj",),
        regions=("银双社区", "银盆南社区"),
        summary="银双、银盆南社区多层住宅加装电梯20台。",
        budget=1600,
        start=-200,
        end=130,
        status=S.SUSPENDED,
        suspended=-75,
        targets=(
            TargetSpec("加装电梯", 20, "台", 0.3),
            TargetSpec("受益居民", 240, "户", 0.3),
        ),
        milestones=(
            ("居民意见征询", 0.20, "逐栋征询"),
            ("设计与审批", 0.20, "方案设计、审批"),
            ("施工安装", 0.45, "施工安装"),
            ("验收交付", 0.15, "验收交付"),
        ),
        words=("电梯",),
    ),
    ProjectSpec(
        name="洋湖社区长者食堂",
        kind=K.ELDERLY,
        lead="office:yanghu",
        assisting=("mzj",),
        regions=("洋湖社区",),
        summary="利用社区用房改建长者食堂2个，为辖区老年人提供助餐服务。",
        budget=320,
        start=20,
        end=200,
        status=S.PLANNED,
        targets=(
            TargetSpec("长者食堂", 2, "个", 0),
            TargetSpec("助餐服务老年人", 300, "户", 0),
        ),
        milestones=(
            ("场地改造", 0.50, "用房改造"),
            ("运营招标", 0.25, "运营机构招标"),
            ("开业运营", 0.25, "开业运营"),
        ),
    ),
    ProjectSpec(
        name="青山新村老旧小区综合改造",
        kind=K.ESTATE,
        lead="office:tianding",
        assisting=("zjj", "cgzf"),
        regions=("青山新村社区",),
        summary="屋面防水、管网更新、停车设施和绿化提升。",
        budget=4300,
        start=10,
        end=280,
        status=S.PLANNED,
        targets=(
            TargetSpec("改造面积", 52000, "平方米", 0),
            TargetSpec("受益居民", 980, "户", 0),
        ),
        milestones=(
            ("方案公示", 0.15, "改造方案征求意见、公示"),
            ("施工", 0.70, "分片施工"),
            ("验收", 0.15, "竣工验收"),
        ),
    ),
    ProjectSpec(
        name="观沙岭街道加装电梯统一规划试点",
        kind=K.ELEVATOR,
        lead="office:guanshaling",
        assisting=("zjj", "zrzy"),
        regions=("钰龙社区", "岳北社区"),
        summary="按片区统一规划加装电梯，简化审批流程。",
        budget=1200,
        start=60,
        end=365,
        status=S.CANDIDATE,
        origin=Origin.SUGGESTION,
        origin_note="人民建议征集：建议老旧小区加装电梯统一规划",
        targets=(TargetSpec("加装电梯", 15, "台", 0),),
        milestones=(("统一规划", 0.3, "片区规划"), ("施工安装", 0.7, "施工安装")),
    ),
    ProjectSpec(
        name="含浦街道学校体育场地开放（新增）",
        kind=K.SPORTS,
        lead="jyj",
        assisting=("office:hanpu",),
        regions=("白鹤社区",),
        summary="含浦街道新增5所学校体育场地向社会开放。",
        budget=150,
        start=90,
        end=300,
        status=S.CANDIDATE,
        origin=Origin.UNIT,
        origin_note="区教育局申报",
        targets=(TargetSpec("开放学校", 5, "个", 0),),
        milestones=(("安全评估", 0.4, "逐校评估"), ("通道改造", 0.6, "通道改造、开放")),
    ),
)
