import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minxin.demo.seed import CHUNK_SIZE, seed_demo


class Command(BaseCommand):
    help = (
        "Seed the demo district A3区: regions, units, categories, staff, routing rules, time "
        "limits (kept if present), and N appeals of the last 90 days whose histories follow "
        "the workflow."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--appeals", type=int, default=500, help="appeals to add (500)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if the directory already has units or appeals exist",
        )
        # For benchmarks: appeals written per transaction.
        parser.add_argument(
            "--no-channels",
            action="store_true",
            help="skip the board posts, suggestions and visits made through their services",
        )
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["appeals"] < 0:
            raise CommandError("--appeals must not be negative")
        quiet = options["verbosity"] == 0

        def progress(line: str) -> None:
            if not quiet:
                self.stderr.write(line)

        report = seed_demo(
            appeals=options["appeals"],
            seed=options["seed"],
            if_empty=options["if_empty"],
            chunk_size=max(1, options["chunk_size"]),
            progress=progress,
            channels=not options["no_channels"],
        )
        if report.skipped:
            self.stdout.write(f"seed_demo: {report.reason}; kept the data as it is (--if-empty)")
            return
        self.stdout.write(
            f"seed_demo: created {report.regions} regions, {report.units} units, "
            f"{report.categories} categories, {report.users} users, {report.rules} routing rules, "
            f"{report.policies} time limits; added {report.appeals} appeals with "
            f"{report.events} events, {report.posts} board posts, {report.suggestions} "
            f"suggestions, {report.visits} visits, {report.projects} livelihood projects, "
            f"{report.proactive_tasks} proactive tasks, {report.issue_items} issue-list items "
            f"and {report.task_forces} task forces, and {report.neighbour_appeals} appeals of the "
            f"neighbouring district A2区 in {report.seconds:.1f} s"
        )
