import pytest


@pytest.fixture(autouse=True)
def _board_settings(public_pages):
    """Every test here runs with the public pages' settings (tests/conftest.py)."""
