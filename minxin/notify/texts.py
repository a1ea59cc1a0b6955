"""The citizens' SMS templates: which exist, which placeholders each takes, how a text is
checked when an administrator edits it and how it is filled in.

A template's text uses `${name}` placeholders, the syntax Alibaba Cloud's SMS templates use,
so the text kept here is the one registered with the provider. Which appeal event sends which
template is said once, in `cases.notices.CITIZEN_SMS`."""

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.db import models

TEXT_MAX: Final = 300  # the providers' limit for one template is around 500; shorter is cheaper
PLACEHOLDER: Final = re.compile(r"\$\{([^{}]*)\}|\$(?!\{)")


class SmsTemplateKey(models.TextChoices):
    APPEAL_RECEIVED = "appeal_received", "诉求受理"
    APPEAL_REPLIED = "appeal_replied", "答复发布"
    APPEAL_REOPENED = "appeal_reopened", "重新办理"
    APPEAL_CLOSED = "appeal_closed", "办结归档"


@dataclass(frozen=True)
class Placeholders:
    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    # Values never written to a log (the logging backend masks them).
    secret: frozenset[str] = frozenset()

    @property
    def allowed(self) -> frozenset[str]:
        return self.required | self.optional


PLACEHOLDER_LABELS: Final = {
    "tracking_number": "受理编号",
    "query_code": "查询码",
    "unit": "承办单位",
    "district": "区名",
}
_COMMON: Final = frozenset({"district"})

PLACEHOLDERS: Final[Mapping[str, Placeholders]] = {
    SmsTemplateKey.APPEAL_RECEIVED: Placeholders(
        frozenset({"tracking_number", "query_code"}), _COMMON, frozenset({"query_code"})
    ),
    SmsTemplateKey.APPEAL_REPLIED: Placeholders(frozenset({"tracking_number"}), _COMMON | {"unit"}),
    SmsTemplateKey.APPEAL_REOPENED: Placeholders(
        frozenset({"tracking_number"}), _COMMON | {"unit"}
    ),
    SmsTemplateKey.APPEAL_CLOSED: Placeholders(frozenset({"tracking_number"}), _COMMON),
}


def template_text_problems(key: str, text: str) -> list[str]:
    """What is wrong with a template's text, in Chinese (empty when it may be saved): unknown
    or malformed placeholders, required ones missing, too long."""
    spec = PLACEHOLDERS.get(key)
    if spec is None:
        return ["未知的短信模板"]
    problems = []
    text = text.strip()
    if not text:
        return ["请填写短信内容"]
    if len(text) > TEXT_MAX:
        problems.append(f"短信内容不能超过{TEXT_MAX}字")
    used = set()
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name is None or not name.isidentifier():
            problems.append(f"占位符格式不正确：{match.group(0)}（应写作 ${{名称}}）")
        elif name not in spec.allowed:
            allowed = "、".join(f"${{{n}}}" for n in sorted(spec.allowed))
            problems.append(f"该模板不能使用占位符 ${{{name}}}，可用的有：{allowed}")
        else:
            used.add(name)
    for name in sorted(spec.required - used):
        problems.append(f"缺少占位符 ${{{name}}}（{PLACEHOLDER_LABELS.get(name, name)}）")
    return problems


def template_render(text: str, params: Mapping[str, str]) -> str:
    """The text with its placeholders filled in (a text checked by `template_text_problems`
    names only placeholders the caller gives)."""
    return string.Template(text).substitute(params)
