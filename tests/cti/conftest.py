import pytest

from minxin.cti.services import pbx_create

RECORDINGS = "https://pbx.a3.example.gov.cn/recordings/"


@pytest.fixture
def pbx_token(db):
    """A registered exchange's token (its recording server registered)."""
    _, token = pbx_create(name="A3区12345交换机", recording_prefix=RECORDINGS)
    return token


@pytest.fixture
def hook(client, pbx_token):
    """POST one event to the hook as the exchange, form-encoded with the bearer token."""

    def send(token: str | None = None, **params):
        params = {("from" if k == "from_" else k): v for k, v in params.items()}
        return client.post(
            "/cti/hook",
            params,
            headers={"Authorization": f"Bearer {token or pbx_token}"},
        )

    return send
