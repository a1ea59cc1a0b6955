"""What demo staff and citizens write: reasons for each action, rating comments, and the
second replies of re-handled appeals (the first reply is the real one that came with the
message)."""

from typing import Final

from minxin.cases.workflow import Action, Satisfaction

A = Action

REASONS: Final[dict[Action, tuple[str, ...]]] = {
    A.MARK_INVALID: (
        "内容与政务诉求无关",
        "广告推销信息",
        "内容空白，无法联系诉求人核实",
        "测试信息",
        "来电内容不完整，诉求人未说明具体事项",
    ),
    A.RESTORE: ("经核实为有效诉求，恢复受理", "诉求人补充了具体事项，恢复受理"),
    A.RETURN: (
        "该事项不属于本单位职责范围，请重新派单",
        "诉求地点不在本辖区，请核实后转辖区单位办理",
        "涉及多个部门职责，请明确主办单位",
        "该事项已进入司法程序，不属于本单位办理范围",
    ),
    A.FIRST_CONTACT: (
        "已电话联系诉求人，了解具体情况",
        "已与诉求人取得联系，约定现场查看时间",
        "电话未接通，已发送短信告知受理情况及办理人联系方式",
        "已上门走访诉求人，听取具体诉求",
    ),
    A.NOTE: (
        "已安排工作人员现场核查",
        "已协调相关单位共同处理",
        "已约谈物业公司负责人，要求限期整改",
        "正在制定整改方案",
        "已下发责令整改通知书",
        "已会同社区召开协调会",
    ),
    A.REQUEST_EXTENSION: (
        "涉及多个部门协调，需延长办理时间",
        "需等待施工条件具备后整改",
        "整改资金需走审批程序",
        "需诉求相关方提供材料，时间较长",
    ),
    A.APPROVE_EXTENSION: ("", "同意延期，请在延长期限内办结"),
    A.REFUSE_EXTENSION: ("延期理由不充分，请按期办结", "该事项可在原时限内办结"),
    A.SUSPEND: (
        "请诉求人补充具体地址及楼栋号",
        "请诉求人提供相关票据照片",
        "请诉求人补充事发时间和经过",
    ),
    A.RESUME: ("", "诉求人已补充材料"),
    A.FOLLOW_UP: (
        "电话回访诉求人，诉求人表示问题仍未解决",
        "回访诉求人，诉求人对处理时效不满意",
        "回访诉求人，诉求人认为答复未回应核心问题",
    ),
    A.APPROVE_REPLY: ("", "", "答复规范，同意发布", "已核对办理情况，同意发布"),
    A.SEND_BACK: (
        "答复未写明承办人及联系电话，请补充后重新提交",
        "答复未说明现场核查结果，请写明处理结果后重新提交",
        "答复未回应诉求人反映的具体地点，请核实后重新答复",
    ),
    A.REOPEN: (
        "请承办单位重新核查，并在时限内答复诉求人",
        "答复未回应诉求人核心问题，请重新办理",
    ),
    A.CLOSE: (
        "经核实已按政策答复到位，诉求人要求超出政策范围，予以办结",
        "承办单位已依法依规处理，诉求人仍不满意，经审核予以办结",
    ),
}
COMMENTS: Final[dict[Satisfaction, tuple[str, ...]]] = {
    Satisfaction.SATISFIED: ("", "", "处理及时，谢谢", "问题已解决，感谢", "工作人员态度很好"),
    Satisfaction.BASICALLY_SATISFIED: ("", "基本解决了，希望加强后续管理", "处理有点慢"),
    Satisfaction.DISSATISFIED: ("问题没有实际解决", "答复敷衍，没有现场查看", "处理时间太长"),
}
SECOND_REPLIES: Final = (
    "您好！针对您对前次答复不满意的情况，我单位高度重视，已再次安排工作人员现场核查，"
    "相关问题已整改到位。感谢您的监督。",
    "您好！经重新核查，我单位已会同相关单位制定整改措施并落实，后续将加强日常巡查。"
    "如有疑问请联系承办人。",
    "您好！您反映的问题经重新办理，已督促责任方完成整改，并将整改情况电话告知您。",
)

# What a unit adds to a reply the review sent back (the contact it had left out).
REVISED_CONTACT: Final = (
    "如有疑问，请联系承办人王同志，联系电话：0731-84512345。",
    "后续如有问题，可致电我单位办公室，联系电话：0731-85237716。",
)
# A revisit call's note, by why it was called and whether the matter is solved.
REVISIT_NOTES: Final[dict[tuple[str, bool], tuple[str, ...]]] = {
    ("dissatisfied", False): (
        "电话回访诉求人，诉求人表示问题仍未解决",
        "回访诉求人，诉求人认为答复未回应核心问题",
    ),
    ("dissatisfied", True): ("回访诉求人，问题已在回访前解决，但对处理时效不满意",),
    ("sample", True): ("抽样回访，诉求人确认问题已解决", "抽样回访，诉求人表示处理及时"),
    ("sample", False): ("抽样回访，诉求人表示问题尚未彻底解决", "抽样回访，诉求人反映仍有反复"),
}
