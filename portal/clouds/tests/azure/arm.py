"""Replaying recorded Azure Resource Manager exchanges with `responses` (issue 19, tests).

No Azure is reachable here and no emulator of ARM exists, so the driver's SDK calls run
against exchanges we wrote ourselves in `exchanges/*.json`, shaped like the `x-ms-examples`
of Azure/azure-rest-api-specs (and, for signing in, like Microsoft Entra ID's answers to
azure-identity's ClientSecretCredential). The real SDK code runs: serialization, the
bearer-token policy, retries, long-running-operation pollers.

An exchange file is a JSON list; each item is one HTTP exchange:

    {"request": {"method": "PUT", "url": "https://management.azure.com/subscriptions/...",
                 "api_version": "2026-04-01", "query": {"$expand": "instanceView"},
                 "json": {...} | "form": {...}},
     "response": {"status": 201, "headers": {"Azure-AsyncOperation": "..."}, "json": {...}}}

Every string may hold `{{name}}` placeholders, filled from the cloud (subscription,
resource_group, location, directory, client_id, client_secret, token) and from the keyword
arguments of `play`; a string that is one placeholder alone takes any JSON value ("{{tags}}"
→ {"portal-server": "..."}, None leaves its key out); a placeholder left unfilled is an
error. `{"$include": "vm", "power": "running"}` stands for another file, filled (a resource
body shared by several exchanges, or a polling sequence spliced into a list).

Requests must come in the order registered, with exactly the query and JSON body written
(strict matchers, so a field the driver adds or drops fails the test), and each exchange
must be used.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import responses
from responses import matchers
from responses.registries import OrderedRegistry

EXCHANGES = Path(__file__).parent / "exchanges"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def fill(value, variables: dict):
    """`value` (JSON) with every `{{name}}` in its strings (keys too) replaced; a string
    that is one placeholder alone takes the variable as it is (a dict of tags, a number),
    and a key whose value is such a placeholder set to None is left out. An object
    `{"$include": "name", ...}` is the file `name.json` filled with the variables and the
    object's other keys (in a list, an included list is spliced in)."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:  # filled in turn: a variable may hold includes (a list of VMs)
            return fill(variables[whole.group(1)], variables)
        return PLACEHOLDER.sub(lambda found: str(variables[found.group(1)]), value)
    if isinstance(value, list):
        items = []
        for item in value:
            filled = fill(item, variables)
            if _is_include(item) and isinstance(filled, list):
                items.extend(filled)
            else:
                items.append(filled)
        return items
    if _is_include(value):
        more = {key: fill(item, variables) for key, item in value.items() if key != "$include"}
        return fill(_load(value["$include"]), {**variables, **more})
    if isinstance(value, dict):
        return {
            fill(key, variables): fill(item, variables)
            for key, item in value.items()
            if not _is_unset(item, variables)
        }
    return value


def _is_include(value) -> bool:
    return isinstance(value, dict) and "$include" in value


def _is_unset(value, variables: dict) -> bool:
    whole = PLACEHOLDER.fullmatch(value) if isinstance(value, str) else None
    return whole is not None and variables[whole.group(1)] is None


def _load(name: str):
    return json.loads((EXCHANGES / f"{name}.json").read_text())


def cloud_variables(cloud) -> dict:
    """The placeholders every exchange may use, from an Azure cloud's settings."""
    return {
        "subscription": cloud.azure_subscription_id,
        "resource_group": cloud.azure_resource_group,
        "location": cloud.azure_location,
        "directory": cloud.azure_directory_id,
        "client_id": cloud.azure_client_id,
        "client_secret": cloud.azure_client_secret,
        "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.replayed.signature",
    }


def _no_body(request):
    """Matcher: the request carries no body (GET, DELETE, ARM's POST actions)."""
    if request.body:
        return False, f"a body was sent where none was recorded: {request.body!r}"
    return True, ""


class _StrictOrder(OrderedRegistry):
    """The next exchange or nothing; remembers why a request did not match, so that a test
    fails on the mismatch itself even where the driver turned the error into a CloudError."""

    def __init__(self):
        super().__init__()
        self.mismatches: list[str] = []

    def find(self, request):
        match, reasons = super().find(request)
        if match is None:
            self.mismatches.append(f"{request.method} {request.url}: {'; '.join(reasons)}")
        return match, reasons


class ArmReplay:
    """The exchanges a test expects, in order. Use as a context manager (the `arm` fixture
    does): on exit, every exchange must have been used and no request gone astray."""

    def __init__(self, variables: dict):
        self.variables = dict(variables)
        self.mock = responses.RequestsMock(
            assert_all_requests_are_fired=True, registry=_StrictOrder
        )

    def __enter__(self) -> ArmReplay:
        self.mock.__enter__()
        return self

    def __exit__(self, exc_type, exc, traceback):
        mismatches = self.mock.get_registry().mismatches
        try:
            self.mock.__exit__(exc_type, exc, traceback)
        finally:
            if mismatches and exc_type is None:  # the first cause, not "exchanges unused"
                raise AssertionError(
                    "Requests not in the recorded exchanges:\n" + "\n".join(mismatches)
                )

    @property
    def calls(self):
        """The requests made so far (responses' CallList: .request, .response)."""
        return self.mock.calls

    def play(self, name: str, *, throttle: int | None = None, **variables) -> ArmReplay:
        """Expect the exchanges of `exchanges/<name>.json`, filled with the cloud's
        variables and `variables`. With `throttle=i`, ARM first answers the i-th request
        (from 0) with a 429 and Retry-After (`exchanges/throttled.json`); the SDK must send
        it again, and then gets the recorded answer."""
        exchanges = fill({"$include": name}, {**self.variables, **variables})
        for index, exchange in enumerate(exchanges):
            if index == throttle:
                self.add(exchange["request"], _load("throttled"))
            self.add(exchange["request"], exchange["response"])
        return self

    def sign_in(self) -> ArmReplay:
        """The service principal's sign-in, which each new driver (session) makes once
        before its first ARM call."""
        return self.play("sign_in")

    def add(self, request: dict, response: dict) -> None:
        """Expect one exchange (the shape of an item of an exchange file, filled)."""
        url = urlsplit(request["url"])
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        query.update(request.get("query", {}))
        if "api_version" in request:
            query["api-version"] = request["api_version"]
        match = [matchers.query_param_matcher(query, strict_match=True)]
        if "json" in request:
            match.append(matchers.json_params_matcher(request["json"], strict_match=True))
        elif "form" in request:
            match.append(matchers.urlencoded_params_matcher(request["form"]))
        else:
            match.append(_no_body)
        if url.hostname == "management.azure.com":
            match.append(
                matchers.header_matcher({"Authorization": f"Bearer {self.variables['token']}"})
            )
        body = response.get("json")
        self.mock.add(
            request["method"],
            urlunsplit((url.scheme, url.netloc, url.path, "", "")),
            status=response.get("status", 200),
            headers=response.get("headers", {}),
            body=json.dumps(body) if body is not None else "",
            content_type="application/json",
            match=match,
        )
