import pytest
from django.core.cache import cache

from minxin.deadlines.calendar import calendar_cache_clear
from minxin.deadlines.services import policy_cache_clear
from minxin.triage.services import region_tree_cache_clear
from tests.builders import District, district_build


@pytest.fixture(autouse=True)
def _deadline_caches_clear():
    # A rolled-back test sends no signals: clear the in-process calendar and policy caches.
    calendar_cache_clear()
    policy_cache_clear()
    region_tree_cache_clear()
    cache.clear()  # the dashboard's live figures and rate-limit counters are cached
    yield
    calendar_cache_clear()
    policy_cache_clear()
    region_tree_cache_clear()


@pytest.fixture
def district(db: None) -> District:
    return district_build()


@pytest.fixture
def public_pages(settings, tmp_path):
    """The settings of the tests of the public pages (the citizen's, the board's), used by their
    folders' conftest. Rate limits count across tests in the locmem cache: only the test about
    them enables them. Photos are stored under the test's own directory."""
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
