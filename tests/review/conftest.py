import pytest


@pytest.fixture(autouse=True)
def _public(public_pages):
    """The citizen's tracking page is read here too (tests/conftest.py's public settings)."""
