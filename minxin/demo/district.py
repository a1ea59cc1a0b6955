"""The demo district A3区 as data: places, units, staff, routing and time limits.

Names follow the TipDM messages (A市, A3区 and the streets and villages its citizens mention);
where the messages name too few communities, plausible ones fill the gaps. Nothing here depends
on the random seed, so seeding twice finds the same directory.
"""

from __future__ import annotations

from typing import Final

from minxin.accounts.roles import Role

DISTRICT_CODE: Final = "A3"
DISTRICT_NAME: Final = "A3区"


# (slug for usernames, name, share of the district's appeals, communities/villages)
SUBDISTRICTS: Final[list[tuple[str, str, int, list[str]]]] = [
    ("guihuaping", "桂花坪街道", 18, ["景蓉社区", "桂花坪社区", "金桂社区"]),
    ("tianding", "天顶街道", 11, ["青山新村社区", "尖山社区", "永恒社区"]),
    ("wangyuehu", "望月湖街道", 9, ["银杉社区", "望月社区", "岳华社区"]),
    ("yanghu", "洋湖街道", 9, ["白鹭社区", "洋湖社区", "湘府社区"]),
    ("xihu", "西湖街道", 8, ["茶场村", "西湖社区", "金桥社区"]),
    ("guanshaling", "观沙岭街道", 8, ["钰龙社区", "土城社区", "岳北社区", "茶子山村"]),
    ("meixihu", "梅溪湖街道", 8, ["骑龙社区", "梅溪湖社区", "泉水社区"]),
    ("xueshi", "学士街道", 7, ["学泰村", "联丰村", "学士社区"]),
    ("yinpenling", "银盆岭街道", 7, ["银双社区", "桐梓坡社区", "银盆南社区"]),
    ("xianjiahu", "咸嘉湖街道", 6, ["白鹤咀社区", "咸嘉新村社区", "西湖桥社区"]),
    ("wangyue", "望岳街道", 6, ["金星村", "望岳社区", "高叶塘社区"]),
    ("hanpu", "含浦街道", 6, ["玉江村", "之字港村", "九丰村", "白鹤社区"]),
    ("pingtang", "坪塘街道", 5, ["白泉村", "太平村", "蓝天村"]),
    ("lianhua", "莲花镇", 3, ["龙台村", "龙洞村", "桐木村", "金凤村"]),
    ("yuchangping", "雨敞坪镇", 3, ["新卯村", "潘家山村", "雨敞坪社区"]),
]
GRID_NAMES: Final = ("第一网格", "第二网格")

HOTLINE_NAME: Final = "A3区12345政务服务便民热线中心"
SUPERVISION_NAME: Final = "A3区人民政府督查室"


def office_name(subdistrict: str) -> str:
    return f"{subdistrict}人民政府" if subdistrict.endswith("镇") else f"{subdistrict}办事处"


# (slug, unit name, short name)
DEPARTMENTS: Final[list[tuple[str, str, str]]] = [
    ("cgzf", "A3区城市管理和综合执法局", "城管执法局"),
    ("zjj", "A3区住房和城乡建设局", "住建局"),
    ("sthj", "A市生态环境局A3分局", "生态环境分局"),
    ("jtys", "A3区交通运输局", "交通运输局"),
    ("jyj", "A3区教育局", "教育局"),
    ("wjj", "A3区卫生健康局", "卫健局"),
    ("rsj", "A3区人力资源和社会保障局", "人社局"),
    ("scjg", "A3区市场监督管理局", "市场监管局"),
    ("mzj", "A3区民政局", "民政局"),
    ("gaj", "A市公安局A3分局", "公安分局"),
    ("zrzy", "A市自然资源和规划局A3分局", "自然资源和规划分局"),
    ("wlj", "A3区文化旅游体育局", "文旅体局"),
    ("swj", "A3区商务局", "商务局"),
    ("yjj", "A3区应急管理局", "应急管理局"),
    ("ybj", "A3区医疗保障局", "医保局"),
    ("slj", "A3区水务局", "水务局"),
    ("nyj", "A3区农业农村局", "农业农村局"),
    ("sfj", "A3区司法局", "司法局"),
    ("fgj", "A3区发展和改革局", "发改局"),
    ("czj", "A3区财政局", "财政局"),
    ("kgj", "A3区科技和工业信息化局", "科工信局"),
    ("zfb", "A3区人民政府办公室", "区政府办"),
    ("jwj", "A3区纪委监委", "纪委监委"),
]
ENTERPRISES: Final[list[tuple[str, str, str]]] = [
    ("water", "A市供水有限公司A3营业所", "供水公司"),
    ("power", "国网A市供电公司A3供电所", "供电公司"),
    ("gas", "A市燃气有限公司A3服务站", "燃气公司"),
]

# Top-level categories handled first by the street where the matter happens; the rest by
# departments (Category.responsible_unit_kind, the fallback when no rule matches).
SUBDISTRICT_LED_TOPS: Final = frozenset({"城乡建设"})

# Routing rules for the whole district: category path → department/enterprise slug.
DISTRICT_RULES: Final[list[tuple[str, str]]] = [
    ("城乡建设", "zjj"),
    ("城乡建设/建筑市场", "zjj"),
    ("城乡建设/工程质量", "zjj"),
    ("城乡建设/城市建设和市政管理", "cgzf"),
    ("城乡建设/城市建设和市政管理/自来水供应", "water"),
    ("城乡建设/城市建设和市政管理/电力供应", "power"),
    ("城乡建设/城市建设和市政管理/燃气供应", "gas"),
    ("城乡建设/城市建设和市政管理/公共汽车", "jtys"),
    ("城乡建设/城市建设和市政管理/地铁城铁", "jtys"),
    ("城乡建设/城乡规划", "zrzy"),
    ("城乡建设/安全生产", "yjj"),
    ("党务政务", "zfb"),
    ("国土资源", "zrzy"),
    ("环境保护", "sthj"),
    ("纪检监察", "jwj"),
    ("交通运输", "jtys"),
    ("经济管理", "fgj"),
    ("经济管理/安全生产", "yjj"),
    ("经济管理/金融财税", "czj"),
    ("科技与信息产业", "kgj"),
    ("民政", "mzj"),
    ("农村农业", "nyj"),
    ("农村农业/水利水电", "slj"),
    ("商贸旅游", "swj"),
    ("商贸旅游/市场监管", "scjg"),
    ("商贸旅游/质监检验检疫", "scjg"),
    ("商贸旅游/旅游管理", "wlj"),
    ("卫生计生", "wjj"),
    ("卫生计生/食品药品监管", "scjg"),
    ("政法", "gaj"),
    ("政法/法律服务", "sfj"),
    ("政法/法制建设", "sfj"),
    ("政法/行政复议", "sfj"),
    ("政法/仲裁与调解", "sfj"),
    ("教育文体", "jyj"),
    ("教育文体/文化", "wlj"),
    ("教育文体/体育", "wlj"),
    ("教育文体/文物管理", "wlj"),
    ("劳动和社会保障", "rsj"),
    ("劳动和社会保障/城镇居民社会保险", "ybj"),
]
# Matters the street handles in its own area (属地管理), before the district rule: housing,
# estates and village matters in general, and these city-management ones.
SUBDISTRICT_RULES: Final[list[str]] = [
    "城乡建设",
    "城乡建设/城市建设和市政管理/环境卫生",
    "城乡建设/城市建设和市政管理/小区管理",
    "城乡建设/城市建设和市政管理/居民服务设施",
    "民政/基层选举和社区建设",
    "民政/社会救助",
]

# Time limits: (category path or "" for the district default, urgency, hours, days).
POLICIES: Final[list[tuple[str, str, str, int]]] = [
    ("", "normal", "8", 10),
    ("", "urgent", "2", 3),
    ("", "critical", "0.5", 1),
    ("城乡建设/城市建设和市政管理/自来水供应", "normal", "2", 3),
    ("城乡建设/城市建设和市政管理/电力供应", "normal", "2", 3),
    ("城乡建设/城市建设和市政管理/燃气供应", "normal", "1", 2),
    ("劳动和社会保障/工资福利", "normal", "4", 5),
    ("政法/社会治安", "normal", "4", 5),
    ("城乡建设/国有土地上房屋征收与补偿", "normal", "8", 15),
    ("城乡建设/集体土地上房屋拆迁与补偿", "normal", "8", 15),
]

# Share of the unlabelled messages given to each top-level class (the labelled ones keep their
# label): 12345 hears mostly about housing, streets, jobs and schools.
TOP_WEIGHTS: Final[dict[str, float]] = {
    "城乡建设": 30,
    "劳动和社会保障": 12,
    "教育文体": 10,
    "交通运输": 9,
    "卫生计生": 8,
    "商贸旅游": 8,
    "环境保护": 8,
    "民政": 4,
    "政法": 4,
    "农村农业": 2,
    "国土资源": 1.5,
    "经济管理": 1,
    "科技与信息产业": 1,
    "党务政务": 0.5,
    "纪检监察": 0.5,
}


# Staff other than handlers: (username, display name, role, unit key, is_unit_head).
# Unit keys: "hotline", "supervision".
STAFF: Final[list[tuple[str, str, Role, str, bool]]] = [
    ("calltaker", "周敏", Role.CALL_TAKER, "hotline", False),
    ("calltaker2", "何静", Role.CALL_TAKER, "hotline", False),
    ("calltaker3", "邓丽娟", Role.CALL_TAKER, "hotline", False),
    ("dispatcher", "陈雪", Role.DISPATCHER, "hotline", False),
    ("dispatcher2", "罗建华", Role.DISPATCHER, "hotline", False),
    ("supervisor", "刘卫东", Role.SUPERVISOR, "supervision", False),
    ("leader", "杨志刚", Role.LEADER, "supervision", True),
    ("admin", "系统管理员", Role.ADMIN, "hotline", False),
]
# The handler of the street with the most appeals is simply "handler".
MAIN_HANDLER: Final = "handler"
MAIN_HANDLER_SLUG: Final = SUBDISTRICTS[0][0]

# Display names for handlers, dealt out in unit order.
HANDLER_NAMES: Final = tuple(
    "李建国 王芳 张伟 刘洋 陈静 杨帆 黄磊 赵敏 吴涛 周丽 徐强 孙燕 胡斌 朱琳 高翔 林涛 郭峰 "  # noqa: SIM905
    "何丹 马超 罗敏 梁波 宋佳 郑凯 谢红 韩冰 唐亮 冯雪 于洋 董鹏 萧雅 程刚 曹颖 袁杰 邓超 "
    "许娜 傅勇 沈洁 曾辉 彭程 吕薇 苏明 卢静 蒋华 蔡琴 贾宁 丁磊 魏来".split()
)


# 二级派单: the main street's communities are units under its office, and the first has a
# handler of its own, who receives what the street passes down.
COMMUNITY_HANDLER: Final = "h_jingrong"
COMMUNITY_HANDLER_NAME: Final = "邹晓梅"


def community_unit_name(community: str) -> str:
    return f"{community[:-1]}村民委员会" if community.endswith("村") else f"{community}居民委员会"


def handler_username(slug: str) -> str:
    return MAIN_HANDLER if slug == MAIN_HANDLER_SLUG else f"h_{slug}"
