import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from minxin.accounts.twofactor import SECOND_FACTOR_KEY
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


@pytest.fixture(autouse=True)
def _second_factor_given(monkeypatch):
    """force_login signs staff in as if they had given their second factor too (admins,
    supervisors and leaders must have one): tests/accounts tests the factor itself through the
    login page, and `Client.force_login_first_factor` signs in with the password step only."""
    first_factor = Client.force_login

    def force_login(self, user, backend=None):
        first_factor(self, user, backend)
        session = self.session
        session[SECOND_FACTOR_KEY] = "ok"
        session.save()

    monkeypatch.setattr(Client, "force_login_first_factor", first_factor, raising=False)
    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def district(db: None) -> District:
    return district_build()


@pytest.fixture
def rate_limits(settings):
    """Rate limits on, counted from nothing, within one window: the clock stands still, so a
    test's requests never straddle the end of the limit's minute (which once reset the count
    halfway through a test on a busy machine)."""
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def public_pages(settings, tmp_path):
    """The settings of the tests of the public pages (the citizen's, the board's), used by their
    folders' conftest. Rate limits count across tests in the locmem cache: only the test about
    them enables them. Photos are stored under the test's own directory."""
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
