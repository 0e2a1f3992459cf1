"""Rate limits of API keys and tenants, and the guard against guessing keys: 429 in the
error shape with Retry-After, counted in the cache (this suite's Redis)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from portal.core.api.throttles import ApiKeyRateThrottle, PortalRateThrottle
from portal.core.principals import ACTOR_TENANT, ApiPrincipal
from portal.tenants.tests.conftest import assert_error
from portal.tenants.tests.factories import make_tenant_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

TASKS_URL = "/api/v1/tasks"


# 10 s into a minute: the count of a test's calls is not cut by a window's end.
MINUTE_START = 1_800_000_000 - 1_800_000_000 % 60


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The throttles' clock, pinned 10 s into a minute; `clock.now` moves it."""

    class Clock:
        now = MINUTE_START + 10.0

    monkeypatch.setattr(PortalRateThrottle, "timer", lambda self: Clock.now)
    return Clock


@pytest.fixture
def rates(settings):
    """Sets the throttle rates for the test (unset scopes are not limited)."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"api_key": None, "tenant": None, "failed_auth": None}
            | rates,
        }

    return set_rates


def client_for(tenant, key=None, address="10.0.0.1"):
    key = key or make_tenant_key(tenant)[1]
    return APIClient(
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_X_TENANT_ID=tenant.tenant_id,
        HTTP_X_PLATFORM_USER_ID="user-1",
        REMOTE_ADDR=address,
    )


def assert_throttled(response, retry_after=50):
    """429 in the error shape, to be retried when the minute ends (10 s into it: 50 s)."""
    error = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) == retry_after
    assert error["request_id"] == response["X-Request-Id"]


def test_one_key_past_its_rate_is_429_with_retry_after(rates, tenant):
    rates(api_key="3/minute")
    caller = client_for(tenant)

    for _ in range(3):
        assert caller.get(TASKS_URL).status_code == 200
    assert_throttled(caller.get(TASKS_URL))
    # Another key of the same tenant has its own count.
    assert client_for(tenant).get(TASKS_URL).status_code == 200


def test_a_refused_call_is_not_counted_and_the_next_window_starts_afresh(rates, tenant, clock):
    rates(api_key="2/minute")
    caller = client_for(tenant)
    for _ in range(2):
        assert caller.get(TASKS_URL).status_code == 200

    clock.now = MINUTE_START + 59.2
    assert_throttled(caller.get(TASKS_URL), retry_after=1)
    clock.now = MINUTE_START + 60.0
    for _ in range(2):
        assert caller.get(TASKS_URL).status_code == 200
    assert_throttled(caller.get(TASKS_URL), retry_after=60)


def test_concurrent_calls_are_each_counted_once(rates, tenant):
    """Calls from many threads at once, counted in the real Redis: exactly the rate is
    let through (a read-then-write count lets more through as calls overwrite it)."""
    rates(api_key="100/minute")
    request = Request(APIRequestFactory().get(TASKS_URL))
    request.user = ApiPrincipal(kind=ACTOR_TENANT, key_name="k", key_prefix="p", tenant=tenant)

    def allowed(_):
        return ApiKeyRateThrottle().allow_request(request, view=None)

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(allowed, range(300)))

    assert answers.count(True) == 100


def test_a_tenant_past_its_rate_is_429_whichever_key_it_uses(rates, tenant, other_tenant):
    rates(tenant="4/minute")

    for _ in range(2):
        assert client_for(tenant).get(TASKS_URL).status_code == 200
        assert client_for(tenant).get(TASKS_URL).status_code == 200
    assert_throttled(client_for(tenant).get(TASKS_URL))
    # Other tenants are not slowed down by it.
    assert client_for(other_tenant).get(TASKS_URL).status_code == 200


def test_staff_sessions_are_not_limited_by_the_key_rates(rates, staff_client):
    rates(api_key="1/minute", tenant="1/minute")

    for _ in range(3):
        assert staff_client.get(TASKS_URL).status_code == 200


def test_wrong_keys_from_one_address_trip_the_guard(rates, tenant):
    rates(failed_auth="5/minute")
    _, key = make_tenant_key(tenant)
    prefix, _dot, secret = key.partition(".")
    guesser = client_for(tenant, key=f"{prefix}.{secret[::-1]}", address="10.0.0.9")

    for _ in range(5):
        assert_error(guesser.get(TASKS_URL), 401, "not_authenticated")
    assert_throttled(guesser.get(TASKS_URL))
    # Once tripped, even the right key from that address is not checked...
    assert_throttled(client_for(tenant, key=key, address="10.0.0.9").get(TASKS_URL))
    # ...while the same key from another address works.
    assert client_for(tenant, key=key, address="10.0.0.2").get(TASKS_URL).status_code == 200


def test_the_guard_counts_only_failures(rates, tenant):
    rates(failed_auth="2/minute")
    caller = client_for(tenant, address="10.0.0.3")

    for _ in range(5):
        assert caller.get(TASKS_URL).status_code == 200


def test_the_guard_reads_the_address_a_trusted_proxy_appended(rates, settings, tenant):
    rates(failed_auth="1/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def guess(forwarded_for):
        return APIClient(
            HTTP_AUTHORIZATION="Api-Key wrong.key",
            HTTP_X_FORWARDED_FOR=forwarded_for,
            REMOTE_ADDR="10.0.0.254",
        ).get(TASKS_URL)

    assert_error(guess("spoofed, 192.0.2.1"), 401)
    # A different spoofed first entry does not reset the client's count.
    assert_throttled(guess("other, 192.0.2.1"))
    assert_error(guess("192.0.2.2"), 401)
