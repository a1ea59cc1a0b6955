"""After the database drops a kept connection (a restart, a failover), the next request
reconnects instead of failing on the dead socket: connection health checks are on."""

import pytest
from django.db import connection, connections


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server to drop the connection")
@pytest.mark.django_db
def test_a_dropped_connection_is_replaced_at_the_next_request() -> None:
    kept = connections.create_connection("default")
    try:
        with kept.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with connection.cursor() as cursor:  # the server ends it, as a restart would
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        kept.close_if_unusable_or_obsolete()  # what Django does when a request starts
        with kept.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (new_pid,) = cursor.fetchone()
        assert new_pid != pid
    finally:
        kept.close()
