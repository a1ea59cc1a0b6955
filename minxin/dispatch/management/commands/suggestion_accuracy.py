"""`minxin suggestion_accuracy`: the unit suggestions' top-1 and top-3 accuracy on the
dispatch history of this database (on `make demo`'s: the figures of docs/triage.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minxin.dispatch.selectors import suggestion_accuracy


class Command(BaseCommand):
    help = "单位建议的准确率：按首次派单时的建议，与实际办结的主办单位比较"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="只计前 N 件（按编号）")

    def handle(self, *args: Any, limit: int | None, **options: Any) -> None:
        found = suggestion_accuracy(limit=limit)
        self.stdout.write(
            f"{found.appeals} appeals resolved by their lead unit: "
            f"top-1 {found.top1} ({found.share(found.top1):.1%}), "
            f"top-3 {found.top3} ({found.share(found.top3):.1%})"
        )
