import pytest

from tests.builders import District, district_build


@pytest.fixture
def district(db: None) -> District:
    return district_build()
