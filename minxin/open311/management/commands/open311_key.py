"""`minxin open311_key create --name NAME [--peer CODE]` prints the new key alone on standard
output (so a script can capture it); `list` and `revoke PREFIX` manage the rest."""

from collections.abc import Iterable
from typing import Any

from django.core.management.base import CommandError, CommandParser

from minxin.citylink.models import Peer
from minxin.core.token_command import TokenCommand
from minxin.open311.models import ApiKey
from minxin.open311.services import api_key_create, api_key_revoke


class Command(TokenCommand):
    help = "管理 Open311 接口密钥：create --name NAME | list | revoke PREFIX"
    create_help = "新建密钥，只在标准输出打印密钥本身"
    list_help = "列出密钥（名称、前缀、状态）"
    revoke_help = "停用密钥"

    def add_create_arguments(self, create: CommandParser) -> None:
        create.add_argument("--peer", default="", help="对接平台的代码（上下级平台使用的密钥）")

    def create(self, options: dict[str, Any]) -> str:
        peer_id = None
        if options["peer"]:
            peer = Peer.objects.filter(code=options["peer"]).first()
            if peer is None:
                raise CommandError(f"没有代码为 {options['peer']} 的对接平台")
            peer_id = peer.pk
        _, secret = api_key_create(name=options["name"], peer_id=peer_id)
        return secret

    def tokens(self) -> Iterable[ApiKey]:
        return ApiKey.objects.order_by("name")

    def revoke(self, prefix: str) -> ApiKey:
        return api_key_revoke(prefix=prefix)
