"""The management commands that keep a kind of secret token (an exchange's, an API key):
`create` prints the new token alone on standard output (so a script can capture it), `list`
prints one line a token (prefix, state, last use, name), `revoke PREFIX` stops one."""

from collections.abc import Iterable
from typing import Any, Protocol

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .errors import MinxinError


class Token(Protocol):
    name: str
    prefix: str
    is_active: bool
    last_used_at: Any


class TokenCommand(BaseCommand):
    """A subclass says what each action is called and does; this one parses and prints."""

    create_help = ""
    list_help = ""
    revoke_help = ""

    def add_create_arguments(self, create: CommandParser) -> None:
        """The `create` action's options besides --name."""

    def create(self, options: dict[str, Any]) -> str:
        """A new token made from `options`: its secret."""
        raise NotImplementedError

    def tokens(self) -> Iterable[Token]:
        raise NotImplementedError

    def revoke(self, prefix: str) -> Token:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=self.create_help)
        create.add_argument("--name", required=True)
        self.add_create_arguments(create)
        sub.add_parser("list", help=self.list_help)
        revoke = sub.add_parser("revoke", help=self.revoke_help)
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self.stdout.write(self.create(options))
            elif options["action"] == "list":
                for token in self.tokens():
                    state = "active" if token.is_active else "revoked"
                    used = token.last_used_at.isoformat() if token.last_used_at else "-"
                    self.stdout.write(f"{token.prefix}\t{state}\t{used}\t{token.name}")
            else:
                token = self.revoke(options["prefix"])
                self.stderr.write(f"已停用：{token.name} ({token.prefix})")
        except MinxinError as error:
            raise CommandError(error.message) from None
