import pytest


@pytest.fixture(autouse=True)
def _security_settings(public_pages):
    """Public pages' settings (rate limits off, photos under the test's directory)."""
