"""API keys: the command prints the key alone, only a hash is stored, the admin shows it once."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from minxin.open311.models import ApiKey
from minxin.open311.services import api_key_authenticate
from tests.builders import District

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("open311_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_the_key_and_stores_its_hash() -> None:
    out, _ = _run("create", "--name", "区城管 APP")
    secret = out.strip()
    assert out == secret + "\n"
    assert re.fullmatch(r"[A-Za-z0-9]{43}", secret)
    key = ApiKey.objects.get(name="区城管 APP")
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert key.prefix == secret[:8]
    assert secret not in str(ApiKey.objects.values().get())
    assert api_key_authenticate(secret) == key


def test_list_and_revoke() -> None:
    secret = _run("create", "--name", "A")[0].strip()
    out, _ = _run("list")
    assert out.startswith(secret[:8] + "\tactive") and secret not in out
    _, err = _run("revoke", secret[:8])
    assert "已停用" in err
    assert "revoked" in _run("list")[0]
    assert api_key_authenticate(secret) is None


def test_command_errors_are_messages() -> None:
    _run("create", "--name", "A")
    with pytest.raises(CommandError, match="已有名为"):
        _run("create", "--name", "A")
    with pytest.raises(CommandError, match="请填写密钥名称"):
        _run("create", "--name", "  ")
    with pytest.raises(CommandError, match="没有该前缀"):
        _run("revoke", "nothing")


def test_admin_shows_the_new_key_once(client: Client, district: District) -> None:
    client.force_login(district.user("admin"))
    response = client.post(
        "/admin/open311/apikey/add/", {"name": "<script>x</script>客户端"}, follow=True
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    page = response.content.decode()
    match = re.search(r"只显示这一次[^：]*：([A-Za-z0-9]{43})", page)
    assert match is not None
    secret = match.group(1)
    assert api_key_authenticate(secret) == key
    assert "<script>x</script>客户端" not in page  # the name is escaped
    again = client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    assert secret not in again and key.prefix in again
    # Revoking in the admin stamps the time; deleting is not offered.
    client.post(f"/admin/open311/apikey/{key.pk}/change/", {"name": key.name})
    key.refresh_from_db()
    assert not key.is_active and key.revoked_at is not None
    assert client.get(f"/admin/open311/apikey/{key.pk}/delete/").status_code == 403
