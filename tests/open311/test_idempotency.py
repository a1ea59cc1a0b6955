"""Issue 16 item 6: the same Open311 POST twice made two appeals. With an idempotency key (the
`Idempotency-Key` header or the `idempotency_key` field, per client) a retry is answered with
the first result, the same key with another body is refused (422), and two concurrent first
requests create one appeal (PostgreSQL)."""

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.core.errors import MinxinError
from minxin.open311 import services
from minxin.open311.models import ApiKey, IdempotencyKey, Open311Request
from minxin.open311.services import api_key_create, idempotency_keys_prune, service_request_create
from tests.builders import District

from .conftest import BASE, post_form

KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def _post(client: Client, data: dict[str, str], fmt: str = "json", **headers: str):
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("header", [KEY, f'"{KEY}"'])  # bare, or the draft's quoted string
def test_a_retry_gets_the_first_answer(client: Client, district: District, api_key: str, header):
    form = {**post_form(district), "api_key": api_key}
    first = _post(client, form, **{"Idempotency-Key": header})
    again = _post(client, form, **{"Idempotency-Key": header})
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Appeal.objects.count() == Open311Request.objects.count() == 1
    # The same answer in the other format.
    xml = _post(client, form, "xml", **{"Idempotency-Key": header}).content.decode()
    assert first.json()[0]["token"] in xml


@pytest.mark.django_db
def test_the_key_as_a_json_field(client: Client, district: District, api_key: str):
    body = json.dumps({**post_form(district), "api_key": api_key, "idempotency_key": KEY})
    answers = [
        client.post(f"{BASE}/requests.json", body, content_type="application/json")
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_each_post_is_a_new_report(client, district, api_key):
    form = {**post_form(district), "api_key": api_key}
    assert _post(client, form).status_code == _post(client, form).status_code == 200
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(client, district, api_key):
    form = {**post_form(district), "api_key": api_key}
    assert _post(client, form, **{"Idempotency-Key": KEY}).status_code == 200
    other = _post(client, {**form, "description": "另一件事"}, **{"Idempotency-Key": KEY})
    assert other.status_code == 422
    assert "Idempotency-Key 已用于另一个内容不同的请求" in other.json()[0]["description"]
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_client(client, district, api_key):
    other_key = api_key_create(name="另一个客户端")[1]
    form = post_form(district)
    for secret in (api_key, other_key):
        response = _post(client, {**form, "api_key": secret}, **{"Idempotency-Key": KEY})
        assert response.status_code == 200
    assert Appeal.objects.count() == 2
    assert IdempotencyKey.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "extra"),
    [
        ({"Idempotency-Key": "k" * 256}, {}),
        ({"Idempotency-Key": "键"}, {}),
        ({"Idempotency-Key": "a b"}, {}),
        ({}, {"idempotency_key": "a\tb"}),
        ({"Idempotency-Key": "one"}, {"idempotency_key": "two"}),
    ],
)
def test_a_bad_key_is_refused_and_nothing_stored(client, district, api_key, headers, extra):
    response = _post(client, {**post_form(district), "api_key": api_key, **extra}, **headers)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()[0]["description"]
    assert not Appeal.objects.exists() and not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_a_refused_request_keeps_nothing_and_its_correction_may_use_the_key(
    client, district, api_key
):
    form = {**post_form(district), "api_key": api_key}
    bad = _post(client, {**form, "phone": "123"}, **{"Idempotency-Key": KEY})
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists() and not Appeal.objects.exists()
    assert _post(client, form, **{"Idempotency-Key": KEY}).status_code == 200
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_a_retry_completes_a_first_request_that_failed_half_way(district, api_key):
    key = ApiKey.objects.get()
    params = {**post_form(district), "api_key": api_key}
    fingerprint = services.request_fingerprint(params=params, attributes={})
    IdempotencyKey.objects.create(
        api_key=key,
        key_hash=services.hashlib.sha256(KEY.encode()).hexdigest(),
        request_hash=fingerprint,
    )  # claimed, then the worker died
    first = service_request_create(api_key=key, params=params, attributes={}, idempotency_key=KEY)
    again = service_request_create(api_key=key, params=params, attributes={}, idempotency_key=KEY)
    assert first.record == again.record and not again.created
    assert IdempotencyKey.objects.get().request == first.record


@pytest.mark.django_db
def test_keys_are_kept_a_day_then_pruned(district, api_key, settings):
    key = ApiKey.objects.get()
    now = timezone.now()
    for hours, name in ((23, "young"), (25, "old")):
        row = IdempotencyKey.objects.create(api_key=key, key_hash=name, request_hash="x")
        IdempotencyKey.objects.filter(pk=row.pk).update(created_at=now - timedelta(hours=hours))
    settings.MINXIN = {**settings.MINXIN, "OPEN311_IDEMPOTENCY_HOURS": 1}  # never under a day
    assert idempotency_keys_prune() == 1
    assert list(IdempotencyKey.objects.values_list("key_hash", flat=True)) == ["young"]


# --- two first requests at once (PostgreSQL) -----------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_body", [True, False])
def test_two_concurrent_first_requests_create_one_appeal(district, monkeypatch, same_body):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that runs two writers at once (PostgreSQL)")
    key = api_key_create(name="并发客户端")[0]
    both_checked = threading.Barrier(2, timeout=10)
    draft = services.service_request_draft

    def slow_draft(**kwargs: Any):
        both_checked.wait()  # both have looked the key up and found nothing
        return draft(**kwargs)

    monkeypatch.setattr(services, "service_request_draft", slow_draft)
    results: list[Any] = []

    def post(description: str) -> None:
        try:
            params = post_form(district, description=description)
            results.append(
                service_request_create(
                    api_key=key, params=params, attributes={}, idempotency_key=KEY
                )
            )
        except MinxinError as error:
            results.append(error)
        finally:
            connection.close()

    texts = ["路灯不亮", "路灯不亮" if same_body else "井盖丢失"]
    threads = [threading.Thread(target=post, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert Appeal.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    if same_body:
        assert results[0].record == results[1].record
    else:
        assert sorted(type(r).__name__ for r in results) == [
            "IdempotencyConflict",
            "ServiceRequestCreated",
        ]


@pytest.mark.django_db
def test_the_prune_task(district, api_key):
    from minxin.open311.tasks import prune_idempotency_keys_task

    row = IdempotencyKey.objects.create(
        api_key=ApiKey.objects.get(), key_hash="h", request_hash="x"
    )
    IdempotencyKey.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert prune_idempotency_keys_task.enqueue().return_value == 1
    assert not IdempotencyKey.objects.exists()
