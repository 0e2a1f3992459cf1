"""Replaying recorded ARM exchanges (issue 19: no Azure is reachable here) with `responses`,
so that the real SDK code paths (serialization, pollers, retries) run against answers
shaped like Azure's documented ones.

An exchange file (JSON) holds `exchanges`: each a `request` (method, path, query and, when
the body matters, its JSON body) and the `response` Azure gives (status, headers, body).
They are served in order, each once; a request the file does not hold next fails the
test, as does one left unasked. The service principal's sign-in comes first.
"""

import json
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import responses
from responses.registries import OrderedRegistry

from portal.clouds.azure.session import ARM_ENDPOINT, LOGIN_AUTHORITY

EXCHANGES = Path(__file__).parent


def sign_in_exchanges(cloud) -> list[dict]:
    """What azure-identity (MSAL) asks to sign the service principal in: the directory's
    OpenID configuration, then a client-credentials token."""
    login = f"https://{LOGIN_AUTHORITY}/{cloud.azure_directory_id}"
    configuration = {
        "issuer": f"{login}/v2.0",
        "authorization_endpoint": f"{login}/oauth2/v2.0/authorize",
        "token_endpoint": f"{login}/oauth2/v2.0/token",
    }
    token = {
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": "recorded-access-token",
    }
    return [
        {
            "request": {"method": "GET", "url": f"{login}/v2.0/.well-known/openid-configuration"},
            "response": {"status": 200, "body": configuration},
        },
        {
            "request": {"method": "POST", "url": f"{login}/oauth2/v2.0/token"},
            "response": {"status": 200, "body": token},
        },
    ]


def load(*names) -> list[dict]:
    """The exchanges of the named files (relative to this folder), in order."""
    exchanges = []
    for name in names:
        exchanges += json.loads((EXCHANGES / name).read_text())["exchanges"]
    return exchanges


@contextmanager
def replaying(cloud, exchanges):
    """Serve the sign-in, then `exchanges`; yields the list of requests made (method, url,
    parsed JSON body or None) for the test to read."""
    asked = []
    with responses.RequestsMock(registry=OrderedRegistry) as mock:
        for exchange in [*sign_in_exchanges(cloud), *exchanges]:
            mock.add_callback(
                exchange["request"]["method"],
                _url(exchange["request"]),
                callback=_answer(exchange, asked),
            )
        yield asked


def _url(request) -> str:
    return request.get("url") or ARM_ENDPOINT + request["path"]


def _answer(exchange, asked):
    recorded, response = exchange["request"], exchange["response"]

    def callback(prepared):
        is_json = prepared.headers.get("Content-Type", "").startswith("application/json")
        body = json.loads(prepared.body) if prepared.body and is_json else None
        asked.append((prepared.method, prepared.url, body))
        if "query" in recorded:
            query = dict(parse_qsl(urlsplit(prepared.url).query))
            assert query == recorded["query"], (prepared.url, recorded["query"])
        if "body" in recorded:
            assert body == recorded["body"], (prepared.url, body)
        headers = {"Content-Type": "application/json", **response.get("headers", {})}
        payload = json.dumps(response["body"]) if "body" in response else ""
        return response["status"], headers, payload

    return callback
