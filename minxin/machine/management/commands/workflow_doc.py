from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from minxin.machine.docs import workflow_markdown


class Command(BaseCommand):
    help = "Write docs/workflow.md from every transition table."

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "workflow.md"
        path.write_text(workflow_markdown(), encoding="utf-8")
        self.stdout.write(f"wrote {path}")
