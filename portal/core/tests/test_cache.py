"""The Redis cache backend (portal/core/cache.py): Django's, with one client per pool and a
one-call increment that keeps Django's meaning. Against this suite's Redis."""

import pytest
from django.core.cache import cache

from portal.core.cache import SharedClientRedisCache

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture(autouse=True)
def redis_backend():
    if not isinstance(cache._connections["default"], SharedClientRedisCache):
        pytest.skip("the suite's cache is not Redis")


def test_incr_raises_for_a_missing_key_and_creates_nothing():
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert cache.get("never-set") is None


def test_incr_counts_and_keeps_the_keys_expiry():
    cache.set("counted", 1, timeout=60)

    assert cache.incr("counted") == 2
    assert cache.incr("counted", 5) == 7
    assert cache.decr("counted") == 6
    client = cache._cache.get_client("counted")
    assert 0 < client.ttl(cache.make_key("counted")) <= 60


def test_every_call_shares_one_client_per_pool():
    assert cache._cache.get_client("a") is cache._cache.get_client("b")
    assert cache._cache.get_client("a", write=True) is cache._cache.get_client("b", write=True)
