import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _board_settings(settings, tmp_path):
    # Rate limits count across tests in the locmem cache; only the test about them enables them.
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
