"""`minxin open311_key create --name NAME [--peer CODE]` prints the new key alone on standard
output (so a script can capture it); `list` and `revoke PREFIX` manage the rest."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minxin.citylink.models import Peer
from minxin.core.errors import MinxinError
from minxin.open311.models import ApiKey
from minxin.open311.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "管理 Open311 接口密钥：create --name NAME | list | revoke PREFIX"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="新建密钥，只在标准输出打印密钥本身")
        create.add_argument("--name", required=True)
        create.add_argument("--peer", default="", help="对接平台的代码（上下级平台使用的密钥）")
        sub.add_parser("list", help="列出密钥（名称、前缀、状态）")
        revoke = sub.add_parser("revoke", help="停用密钥")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                peer_id = None
                if options["peer"]:
                    peer = Peer.objects.filter(code=options["peer"]).first()
                    if peer is None:
                        raise CommandError(f"没有代码为 {options['peer']} 的对接平台")
                    peer_id = peer.pk
                _, secret = api_key_create(name=options["name"], peer_id=peer_id)
                self.stdout.write(secret)
            elif options["action"] == "list":
                for key in ApiKey.objects.order_by("name"):
                    state = "active" if key.is_active else "revoked"
                    used = key.last_used_at.isoformat() if key.last_used_at else "-"
                    self.stdout.write(f"{key.prefix}\t{state}\t{used}\t{key.name}")
            else:
                key = api_key_revoke(prefix=options["prefix"])
                self.stderr.write(f"已停用：{key.name} ({key.prefix})")
        except MinxinError as error:
            raise CommandError(error.message) from None
