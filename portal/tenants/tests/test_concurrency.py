"""Concurrent sign-ups against PostgreSQL: ids without gap or duplicate, names unique."""

import threading

import pytest
from django.db import connection

from portal.core.errors import Conflict
from portal.tenants import signup
from portal.tenants.models import Tenant
from portal.tenants.tests.conftest import sign_up

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count, work):
    """Run work(i) in `count` threads released at the same moment; returns the results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_twenty_concurrent_sign_ups_get_consecutive_ids(cloud):
    results = run_together(
        20, lambda i: signup.register_tenant(f"tenant {i}", actor="test")[0].tenant_id
    )

    expected = [f"t-{n:010d}" for n in range(1, 21)]
    assert sorted(results) == expected
    assert sorted(Tenant.objects.values_list("tenant_id", flat=True)) == expected


def test_the_same_name_twice_at_once_is_one_201_and_one_409(cloud, platform_client):
    responses = run_together(2, lambda i: sign_up(platform_client, "Acme" if i else "acme"))

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert Tenant.objects.count() == 1
    assert sign_up(platform_client, "Globex").json()["tenant_id"] == "t-0000000002"


def test_a_race_past_the_lock_free_check_is_still_a_conflict(cloud, monkeypatch):
    """If two sign-ups both passed the name check, the unique index stops the second."""
    monkeypatch.setattr(signup, "ensure_name_available", lambda name: None)
    signup.register_tenant("Acme", actor="test")

    with pytest.raises(Conflict) as raised:
        signup.register_tenant("ACME", actor="test")

    assert raised.value.code == "duplicate_name"
    assert signup.register_tenant("Globex", actor="test")[0].tenant_id == "t-0000000002"
