"""`minxin cti_pbx create --name NAME [--recordings PREFIX]` prints the exchange's new token
alone on standard output (so a script can capture it); `list` and `revoke PREFIX` manage the
rest (docs/cti.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minxin.core.errors import MinxinError
from minxin.cti.models import Pbx
from minxin.cti.services import pbx_create, pbx_revoke


class Command(BaseCommand):
    help = "管理电话交换机及其令牌：create --name NAME [--recordings URL] | list | revoke PREFIX"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="登记交换机，只在标准输出打印令牌本身")
        create.add_argument("--name", required=True)
        create.add_argument("--recordings", default="", help="录音地址前缀，如 https://pbx/rec/")
        sub.add_parser("list", help="列出交换机（前缀、状态、最近使用、名称）")
        revoke = sub.add_parser("revoke", help="停用交换机的令牌")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                _, secret = pbx_create(name=options["name"], recording_prefix=options["recordings"])
                self.stdout.write(secret)
            elif options["action"] == "list":
                for pbx in Pbx.objects.order_by("name"):
                    state = "active" if pbx.is_active else "revoked"
                    used = pbx.last_used_at.isoformat() if pbx.last_used_at else "-"
                    self.stdout.write(f"{pbx.prefix}\t{state}\t{used}\t{pbx.name}")
            else:
                pbx = pbx_revoke(prefix=options["prefix"])
                self.stderr.write(f"已停用：{pbx.name} ({pbx.prefix})")
        except MinxinError as error:
            raise CommandError(error.message) from None
