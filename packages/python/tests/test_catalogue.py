"""Conformance with spec/catalogue/t3.json: every endpoint is a row of the endpoint table (route
key = catalogue name) with the catalogue's fields in send order and its ``idempotent``, and a
method of both clients; so is every ``sdk`` name of an endpoint's ``variants``, on its endpoint's
route. PENDING names the endpoints not built yet; it may only shrink."""

from __future__ import annotations

import dataclasses
import inspect
import json
from typing import Any, Dict, List, Sequence, Tuple

import pytest

from kami_verify import ENDPOINTS, AsyncClient, Client
from kami_verify._endpoints import ROUTE_NAMES, Param
from kami_verify._protocol import Protocol, route_key
from tests.helpers import REPO_ROOT

CATALOGUE: Dict[str, Any] = json.loads(
    (REPO_ROOT / "spec" / "catalogue" / "t3.json").read_text(encoding="utf-8")
)

#: Catalogue endpoints this SDK does not call yet.
PENDING: List[str] = []

# login sends its safe_code nonce always; the catalogue marks it optional for other clients.
SDK_ALWAYS_SENDS = {("login", "safe_code")}


def _built() -> List[Dict[str, Any]]:
    return [e for e in CATALOGUE["endpoints"] if e["name"] not in PENDING]


def variants() -> List[Tuple[str, Dict[str, Any], Dict[str, Any]]]:
    """``(sdk method name, variant, its endpoint)`` for every variant of a built endpoint."""
    return [(sdk, v, e) for e in _built() for v in e.get("variants", []) for sdk in v["sdk"]]


def variant_cases() -> List[Any]:
    """:func:`variants` as pytest parameters named by the method."""
    return [pytest.param(sdk, v, e, id=sdk) for sdk, v, e in variants()]


def _method_problems(name: str) -> List[str]:
    problems = []
    for cls in (Client, AsyncClient):
        method = getattr(cls, name, None)
        if not callable(method):
            problems.append(f"{name}: no method {cls.__name__}.{name}")
        elif (cls is AsyncClient) != inspect.iscoroutinefunction(method):
            problems.append(
                f"{name}: {cls.__name__}.{name} is not {'async' if cls is AsyncClient else 'sync'}"
            )
    return problems


def field_problems(name: str, params: Sequence[Param], request: Sequence[Dict[str, Any]]) -> List[str]:
    """How a row's parameters differ from catalogue ``request`` fields (names in send order, and
    required-ness: the SDK may insist on more than the server — imei, the safe_code nonce — never
    on less). Empty when they match."""
    sent, listed = [p.name for p in params], [f["name"] for f in request]
    if sent != listed:
        return [f"{name} sends {sent}, the catalogue lists {listed}"]
    problems = []
    for param, field in zip(params, request):
        if field["required"] and not param.required:
            problems.append(f"{name}.{field['name']} is required by the catalogue")
        elif (
            not field["required"]
            and param.required
            and (name, field["name"]) not in SDK_ALWAYS_SENDS
            and field["name"] != "imei"
        ):
            problems.append(f"{name}.{field['name']} is optional in the catalogue")
    return problems


def test_every_catalogue_endpoint_is_a_route_key_and_a_method_of_both_clients() -> None:
    missing = []
    for entry in _built():
        name = entry["name"]
        if name not in ENDPOINTS:
            missing.append(f"{name}: no row in ENDPOINTS (no route key)")
        missing += _method_problems(name)
    assert missing == []


def test_the_table_holds_no_endpoint_the_catalogue_lacks() -> None:
    names = {e["name"] for e in CATALOGUE["endpoints"]} | {sdk for sdk, _, _ in variants()}
    assert set(ENDPOINTS) <= names
    assert {e["name"] for e in _built()} == ROUTE_NAMES


@pytest.mark.parametrize("entry", _built(), ids=lambda e: e["name"])
def test_fields_in_the_catalogue_send_order_and_its_idempotence(entry: Dict[str, Any]) -> None:
    row = ENDPOINTS[entry["name"]]
    assert row.route == entry["name"]
    assert field_problems(entry["name"], row.params, entry["request"]) == []
    assert row.idempotent is entry["idempotent"]


def test_the_catalogue_has_variants() -> None:
    # The variant tests below are parametrized over them; none would run on an empty list.
    assert {v["family"] for _, v, _ in variants()} == {"account"}


@pytest.mark.parametrize(("sdk", "variant", "entry"), variant_cases())
def test_every_variant_is_a_method_sending_its_fields_on_its_endpoints_route(
    sdk: str, variant: Dict[str, Any], entry: Dict[str, Any]
) -> None:
    assert _method_problems(sdk) == []
    row = ENDPOINTS.get(sdk)
    assert row is not None, f"{sdk}: no row in ENDPOINTS"
    assert (row.name, row.route, row.variant_of) == (sdk, entry["name"], entry["name"])
    assert field_problems(sdk, row.params, variant["request"]) == []
    # Same route, same server rule: resent exactly when the card call is.
    assert row.idempotent is entry["idempotent"]


@pytest.mark.parametrize(("sdk", "variant", "entry"), variant_cases())
def test_the_field_check_fails_when_a_row_drops_or_reorders_a_field(
    sdk: str, variant: Dict[str, Any], entry: Dict[str, Any]
) -> None:
    params = ENDPOINTS[sdk].params
    for i in range(len(params)):
        dropped = dataclasses.replace(ENDPOINTS[sdk], params=params[:i] + params[i + 1 :])
        assert field_problems(sdk, dropped.params, variant["request"]), f"dropping {params[i].name}"
    assert field_problems(sdk, params[::-1], variant["request"])


def test_pending_names_exactly_the_catalogue_endpoints_the_sdk_lacks() -> None:
    lacking = [
        e["name"]
        for e in CATALOGUE["endpoints"]
        if e["name"] not in ENDPOINTS or not hasattr(Client, e["name"]) or not hasattr(AsyncClient, e["name"])
    ]
    assert sorted(lacking) == sorted(PENDING)


def test_a_servers_full_route_map_is_accepted_and_unknown_keys_are_skipped() -> None:
    routes = {e["name"]: f"{i:016X}" for i, e in enumerate(CATALOGUE["endpoints"])}
    routes["some_future_endpoint"] = "not a route code"
    protocol = Protocol(base_url="http://127.0.0.1:9", app_key="k", routes=routes)
    assert set(protocol._routes) == ROUTE_NAMES
    assert protocol._routes["kami_recharge"] == "/" + routes["kami_recharge"]


def test_typescript_route_keys_name_the_same_endpoints() -> None:
    # T3_ENDPOINTS of packages/core/src/client/options.ts spell the catalogue names in camelCase.
    source = (REPO_ROOT / "packages" / "core" / "src" / "client" / "options.ts").read_text(encoding="utf-8")
    block = source.split("export const T3_ENDPOINTS = [", 1)[1].split("]", 1)[0]
    ts_keys = [k.strip().strip("'\"") for k in block.split(",") if k.strip()]
    assert ts_keys, "T3_ENDPOINTS not found"
    assert sorted(route_key(k) for k in ts_keys) == sorted(ROUTE_NAMES)
