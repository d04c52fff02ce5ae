"""Conformance with spec/catalogue/t3.json: every endpoint is a row of the endpoint table (route
key = catalogue name) with the catalogue's fields in send order and its ``idempotent``, and a
method of both clients. PENDING names the endpoints not built yet; it may only shrink."""

from __future__ import annotations

import inspect
import json
from typing import Any, Dict, List

import pytest

from kami_verify import ENDPOINTS, AsyncClient, Client
from kami_verify._protocol import Protocol, route_key
from tests.helpers import REPO_ROOT

CATALOGUE: Dict[str, Any] = json.loads(
    (REPO_ROOT / "spec" / "catalogue" / "t3.json").read_text(encoding="utf-8")
)

#: Catalogue endpoints this SDK does not call yet (cloud_doc: the server does not serve it yet).
PENDING = ["cloud_doc"]

# login sends its safe_code nonce always; the catalogue marks it optional for other clients.
SDK_ALWAYS_SENDS = {("login", "safe_code")}


def _built() -> List[Dict[str, Any]]:
    return [e for e in CATALOGUE["endpoints"] if e["name"] not in PENDING]


def test_every_catalogue_endpoint_is_a_route_key_and_a_method_of_both_clients() -> None:
    missing = []
    for entry in _built():
        name = entry["name"]
        if name not in ENDPOINTS:
            missing.append(f"{name}: no row in ENDPOINTS (no route key)")
        for cls in (Client, AsyncClient):
            method = getattr(cls, name, None)
            if not callable(method):
                missing.append(f"{name}: no method {cls.__name__}.{name}")
            elif (cls is AsyncClient) != inspect.iscoroutinefunction(method):
                missing.append(
                    f"{name}: {cls.__name__}.{name} is not {'async' if cls is AsyncClient else 'sync'}"
                )
    assert missing == []


def test_the_table_holds_no_endpoint_the_catalogue_lacks() -> None:
    assert set(ENDPOINTS) <= {e["name"] for e in CATALOGUE["endpoints"]}


@pytest.mark.parametrize("entry", _built(), ids=lambda e: e["name"])
def test_fields_in_the_catalogue_send_order_and_its_idempotence(entry: Dict[str, Any]) -> None:
    row = ENDPOINTS[entry["name"]]
    assert [p.name for p in row.params] == [f["name"] for f in entry["request"]]
    for param, field in zip(row.params, entry["request"]):
        # The SDK may insist on more than the server (imei, the safe_code nonce), never on less.
        if field["required"]:
            assert param.required, f"{entry['name']}.{field['name']} is required by the catalogue"
        elif (entry["name"], field["name"]) not in SDK_ALWAYS_SENDS and field["name"] != "imei":
            assert not param.required, f"{entry['name']}.{field['name']} is optional in the catalogue"
    assert row.idempotent is entry["idempotent"]


def test_pending_names_only_catalogue_endpoints_the_sdk_really_lacks() -> None:
    names = {e["name"] for e in CATALOGUE["endpoints"]}
    for name in PENDING:
        assert name in names
        assert name not in ENDPOINTS
        assert not hasattr(Client, name) and not hasattr(AsyncClient, name)


def test_a_servers_full_route_map_is_accepted_and_unknown_keys_are_skipped() -> None:
    routes = {e["name"]: f"{i:016X}" for i, e in enumerate(CATALOGUE["endpoints"])}
    routes["some_future_endpoint"] = "not a route code"
    protocol = Protocol(base_url="http://127.0.0.1:9", app_key="k", routes=routes)
    assert set(protocol._routes) == set(ENDPOINTS)
    assert protocol._routes["kami_recharge"] == "/" + routes["kami_recharge"]


def test_typescript_route_keys_name_the_same_endpoints() -> None:
    # T3_ENDPOINTS of packages/core/src/client/options.ts spell the catalogue names in camelCase.
    source = (REPO_ROOT / "packages" / "core" / "src" / "client" / "options.ts").read_text(encoding="utf-8")
    block = source.split("export const T3_ENDPOINTS = [", 1)[1].split("]", 1)[0]
    ts_keys = [k.strip().strip("'\"") for k in block.split(",") if k.strip()]
    assert ts_keys, "T3_ENDPOINTS not found"
    assert sorted(route_key(k) for k in ts_keys) == sorted(ENDPOINTS)
