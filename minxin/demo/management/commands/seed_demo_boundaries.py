from typing import Any

from django.core.management.base import BaseCommand

from minxin.demo import district as d
from minxin.demo.boundaries import boundaries_seed
from minxin.directory.models import Region


class Command(BaseCommand):
    help = (
        "Load the demo district's generated boundary map if it has none (seed_demo does it for a "
        "new district; this is for one seeded before the maps)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Region.objects.filter(code=d.DISTRICT_CODE).exists():
            self.stdout.write("seed_demo_boundaries: no demo district, nothing to do")
            return
        loaded = boundaries_seed()
        if loaded is None:
            self.stdout.write("seed_demo_boundaries: the district already has boundaries")
        else:
            self.stdout.write(f"seed_demo_boundaries: {loaded.message}")
