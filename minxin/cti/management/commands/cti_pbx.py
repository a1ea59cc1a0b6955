"""`minxin cti_pbx create --name NAME [--recordings PREFIX]` prints the exchange's new token
alone on standard output (so a script can capture it); `list` and `revoke PREFIX` manage the
rest (docs/cti.md)."""

from collections.abc import Iterable
from typing import Any

from django.core.management.base import CommandParser

from minxin.core.token_command import TokenCommand
from minxin.cti.models import Pbx
from minxin.cti.services import pbx_create, pbx_revoke


class Command(TokenCommand):
    help = "管理电话交换机及其令牌：create --name NAME [--recordings URL] | list | revoke PREFIX"
    create_help = "登记交换机，只在标准输出打印令牌本身"
    list_help = "列出交换机（前缀、状态、最近使用、名称）"
    revoke_help = "停用交换机的令牌"

    def add_create_arguments(self, create: CommandParser) -> None:
        create.add_argument("--recordings", default="", help="录音地址前缀，如 https://pbx/rec/")

    def create(self, options: dict[str, Any]) -> str:
        _, secret = pbx_create(name=options["name"], recording_prefix=options["recordings"])
        return secret

    def tokens(self) -> Iterable[Pbx]:
        return Pbx.objects.order_by("name")

    def revoke(self, prefix: str) -> Pbx:
        return pbx_revoke(prefix=prefix)
