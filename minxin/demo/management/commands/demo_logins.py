from typing import Any

from django.core.management.base import BaseCommand

from minxin.demo.logins import demo_logins_table


class Command(BaseCommand):
    help = "Print the demo's logins: one line per role with username, password and unit."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(demo_logins_table())
