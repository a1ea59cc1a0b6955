"""Two imports of the same rows at the same moment: each appeal is created once."""

import threading
import time

import pytest
from django.db import connection, transaction

from minxin.accounts.actor import Actor
from minxin.cases import services as cases
from minxin.cases.models import Appeal

pytestmark = pytest.mark.django_db(transaction=True)


def items(n: int) -> list[cases.BulkAppeal]:
    return [
        cases.BulkAppeal(
            draft=cases.AppealDraft(
                channel="import",
                kind="complaint",
                title=f"标题{i}",
                content=f"内容{i}",
                is_anonymous=True,
            ),
            submission_key=f"concurrent-{i}",
        )
        for i in range(n)
    ]


def test_a_batch_racing_another_with_the_same_keys_creates_nothing_twice():
    if connection.vendor == "sqlite":
        # The test database is SQLite in shared-cache memory, where a second writer fails at
        # once ("table is locked") instead of waiting; the deployed SQLite file serialises
        # writers (BEGIN IMMEDIATE), so the race cannot happen there.
        pytest.skip("needs a database that runs two writers at once (PostgreSQL)")
    first_inserted = threading.Event()
    results: dict[str, cases.BulkCreated] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = cases.appeals_create_bulk(actor=Actor.system(), items=items(5))
                first_inserted.set()
                time.sleep(0.5)  # the second batch checks its keys now, before this commits
        except BaseException as error:
            errors.append(error)
            first_inserted.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_inserted.wait(5)
            with transaction.atomic():
                results["second"] = cases.appeals_create_bulk(actor=Actor.system(), items=items(8))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(results["first"].created) == 5
    assert len(results["second"].created) == 3 and results["second"].existing == 5
    assert Appeal.objects.filter(submission_key__startswith="concurrent-").count() == 8
    numbers = list(Appeal.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == len(numbers)
