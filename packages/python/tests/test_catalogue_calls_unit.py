"""Each catalogue call (and each endpoint variant's) through its public method, with injected
transports (httpx.MockTransport): the wire fields in the catalogue's send order, resent after a
connection error exactly when the catalogue says ``idempotent``, argument checks before any I/O,
and reply parsing edge cases."""

from __future__ import annotations

import contextlib
import json
from typing import Any, Callable, Dict, List, Tuple
from urllib.parse import parse_qsl

import httpx
import pytest

import kami_verify
from kami_verify import KamiConnectionError, KamiResponseError, KamiValidationError, _protocol
from kami_verify._endpoints import ordered_params
from tests.helpers import VECTORS
from tests.test_catalogue import CATALOGUE, PENDING, variant_cases, variants

APP_KEY = "8f3e2a1b9c7d4e6f0a5b3c2d1e9f8a7b"
ROUTES = {e["name"]: f"/{e['name']}" for e in CATALOGUE["endpoints"]}

# One call of each method with the fields it sends, in the order the caller names them.
CALLS: Dict[str, Tuple[Callable[[kami_verify.Client], Any], Dict[str, str]]] = {
    "login": (lambda c: c.login("K", "IMEI"), {"kami": "K", "imei": "IMEI"}),
    "heartbeat": (lambda c: c.heartbeat("S", kami="K"), {"statecode": "S", "kami": "K"}),
    "query": (lambda c: c.query("K"), {"kami": "K"}),
    "unbind": (lambda c: c.unbind("K", "IMEI"), {"kami": "K", "imei": "IMEI"}),
    "ip_unbind": (lambda c: c.ip_unbind("K"), {"kami": "K"}),
    "disable": (lambda c: c.disable("K"), {"kami": "K"}),
    "kami_recharge": (lambda c: c.kami_recharge("T", "S"), {"target_kami": "T", "source_kami": "S"}),
    "get_kami_core": (lambda c: c.get_kami_core("K"), {"kami": "K"}),
    "modify_core": (lambda c: c.modify_core("K", "C"), {"kami": "K", "core": "C"}),
    "get_variable": (
        lambda c: c.get_variable("K", "V", valuename="N"),
        {"kami": "K", "valueid": "V", "valuename": "N"},
    ),
    "modify_variable": (
        lambda c: c.modify_variable("K", "V", "X"),
        {"kami": "K", "valueid": "V", "valuecontent": "X"},
    ),
    "heartbeat_any": (lambda c: c.heartbeat_any("S"), {"statecode": "S"}),
    "online_kami": (lambda c: c.online_kami(), {}),
    "notice": (lambda c: c.notice(), {}),
    "version": (lambda c: c.version(), {}),
    "check_update": (lambda c: c.check_update("1.0"), {"ver": "1.0"}),
    "app_sign": (lambda c: c.app_sign("A"), {"autograph": "A"}),
    "cloud_doc": (lambda c: c.cloud_doc("T"), {"token": "T"}),
    "register": (lambda c: c.register("U", "P", "E@x.cn"), {"user": "U", "pass": "P", "email": "E@x.cn"}),
    "user_login": (lambda c: c.user_login("U", "P", "IMEI"), {"user": "U", "pass": "P", "imei": "IMEI"}),
    "user_heartbeat": (
        lambda c: c.user_heartbeat("U", "P", "S"),
        {"user": "U", "pass": "P", "statecode": "S"},
    ),
    "change_password": (
        lambda c: c.change_password("U", "O", "N"),
        {"user": "U", "oldpass": "O", "newpass": "N"},
    ),
    "user_cancel": (lambda c: c.user_cancel("U", "P"), {"user": "U", "pass": "P"}),
    "recharge": (lambda c: c.recharge("U", "C"), {"user": "U", "card": "C"}),
    "get_user_core": (lambda c: c.get_user_core("U", "P"), {"user": "U", "pass": "P"}),
    "online_user": (lambda c: c.online_user(), {}),
    # The card calls made with an account.
    "unbind_user": (lambda c: c.unbind_user("U", "P", "IMEI"), {"user": "U", "pass": "P", "imei": "IMEI"}),
    "ip_unbind_user": (lambda c: c.ip_unbind_user("U", "P"), {"user": "U", "pass": "P"}),
    "disable_user": (lambda c: c.disable_user("U", "P"), {"user": "U", "pass": "P"}),
    "modify_core_by_user": (
        lambda c: c.modify_core_by_user("U", "P", "C"),
        {"user": "U", "pass": "P", "core": "C"},
    ),
    "get_variable_by_user": (
        lambda c: c.get_variable_by_user("U", "P", "V", valuename="N"),
        {"user": "U", "pass": "P", "valueid": "V", "valuename": "N"},
    ),
    "modify_variable_by_user": (
        lambda c: c.modify_variable_by_user("U", "P", "V", "X"),
        {"user": "U", "pass": "P", "valueid": "V", "valuecontent": "X"},
    ),
}

BUILT = [e for e in CATALOGUE["endpoints"] if e["name"] not in PENDING]


def client(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> kami_verify.Client:
    options.setdefault("max_retries", 1)
    return kami_verify.Client(
        ["http://a.test", "http://b.test"],
        app_key=APP_KEY,
        routes=ROUTES,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **options,
    )


def _answer(body: Dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=body)


def test_every_built_endpoint_and_variant_has_a_call_here() -> None:
    assert sorted(CALLS) == sorted([e["name"] for e in BUILT] + [sdk for sdk, _, _ in variants()])


def sent_by(sdk: str) -> Tuple[str, List[Tuple[str, str]]]:
    """The path and the form fields of one call of method ``sdk`` (its CALLS example)."""
    sent: List[Tuple[str, List[Tuple[str, str]]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path, parse_qsl(request.content.decode(), keep_blank_values=True)))
        return httpx.Response(200, json={"code": "200", "msg": "0", "time": 0})

    with contextlib.suppress(kami_verify.KamiError):
        CALLS[sdk][0](client(handler))
    assert len(sent) == 1
    return sent[0]


def check_variant_request(sdk: str, variant: Dict[str, Any], entry: Dict[str, Any]) -> None:
    path, fields = sent_by(sdk)
    assert path == f"/{entry['name']}", "a variant goes to its endpoint's 调用码"
    # Every field of the variant's request, in its order, then t and s; no kami.
    assert [k for k, _ in fields] == [f["name"] for f in variant["request"]] + ["t", "s"]
    assert {k: v for k, v in fields if k not in ("t", "s")} == CALLS[sdk][1]


@pytest.mark.parametrize(("sdk", "variant", "entry"), variant_cases())
def test_a_variant_sends_its_request_fields_in_order_on_its_endpoints_route(
    sdk: str, variant: Dict[str, Any], entry: Dict[str, Any]
) -> None:
    check_variant_request(sdk, variant, entry)


@pytest.mark.parametrize(("sdk", "variant", "entry"), variant_cases())
def test_the_variant_request_check_fails_when_a_field_is_not_sent(
    sdk: str, variant: Dict[str, Any], entry: Dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An SDK that validates every argument but leaves one field off the wire must fail the check.
    for dropped in range(len(variant["request"])):

        def lossy(endpoint: Any, values: Any, dropped: int = dropped) -> Any:
            fields = ordered_params(endpoint, values)
            return fields[:dropped] + fields[dropped + 1 :]

        monkeypatch.setattr(_protocol, "ordered_params", lossy)
        with pytest.raises(AssertionError):
            check_variant_request(sdk, variant, entry)
        monkeypatch.undo()
    # Unpatched, the same check passes (it is the wire that failed it above).
    check_variant_request(sdk, variant, entry)


@pytest.mark.parametrize(("sdk", "variant", "entry"), variant_cases())
def test_a_variant_is_resent_exactly_when_its_endpoint_is_idempotent(
    sdk: str, variant: Dict[str, Any], entry: Dict[str, Any]
) -> None:
    attempts: List[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.host)
        raise httpx.ReadError("connection reset after the request was sent", request=request)

    with pytest.raises(KamiConnectionError):
        CALLS[sdk][0](client(handler))
    assert len(attempts) == (4 if entry["idempotent"] else 1), attempts


@pytest.mark.parametrize("entry", BUILT, ids=lambda e: e["name"])
def test_fields_go_out_in_catalogue_order_then_t_and_s(entry: Dict[str, Any]) -> None:
    sent: List[List[Tuple[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/{entry['name']}"
        sent.append(parse_qsl(request.content.decode(), keep_blank_values=True))
        return httpx.Response(200, json={"code": "200", "msg": "0", "time": 0})

    call, expected = CALLS[entry["name"]]
    # The canned reply does not satisfy every parser; the request is what is checked.
    with contextlib.suppress(kami_verify.KamiError):
        call(client(handler))
    assert len(sent) == 1
    names = [k for k, _ in sent[0]]
    catalogue_order = [f["name"] for f in entry["request"] if f["name"] in names]
    assert names[: len(catalogue_order)] == catalogue_order
    assert names[len(catalogue_order) :] == ["t", "s"]
    values = dict(sent[0])
    assert {k: values[k] for k in expected} == expected


@pytest.mark.parametrize("entry", BUILT, ids=lambda e: e["name"])
def test_resent_after_a_connection_error_exactly_when_idempotent(entry: Dict[str, Any]) -> None:
    attempts: List[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.host)
        raise httpx.ReadError("connection reset after the request was sent", request=request)

    with pytest.raises(KamiConnectionError) as raised:
        CALLS[entry["name"]][0](client(handler))
    assert raised.value.phase == "unknown"
    # Two hosts, one retry round: 4 attempts when safe to resend, else the first only.
    assert len(attempts) == (4 if entry["idempotent"] else 1), attempts


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.kami_recharge("", "S"), "target_kami"),
        (lambda c: c.kami_recharge("T", ""), "source_kami"),
        (lambda c: c.get_variable("K"), "valueid"),
        (lambda c: c.get_variable("K", "", valuename=""), "valueid"),
        (lambda c: c.modify_variable("K", "", "x"), "valueid"),
        (lambda c: c.app_sign(""), "autograph"),
        (lambda c: c.cloud_doc(""), "token"),
        (lambda c: c.register("U", ""), "pass"),
        (lambda c: c.user_login("U", "P", "it's"), "imei"),
        (lambda c: c.user_heartbeat("U", "P", ""), "statecode"),
        (lambda c: c.change_password("U", "O", ""), "newpass"),
        (lambda c: c.recharge("U", ""), "card"),
        (lambda c: c.modify_core("K", None), "core"),
        (lambda c: c.unbind_user("", "P", "IMEI"), "user"),
        (lambda c: c.unbind_user("U", "", "IMEI"), "pass"),
        (lambda c: c.unbind_user("U", "P", ""), "imei"),
        (lambda c: c.unbind_user("U", "P", "it's"), "imei"),
        (lambda c: c.ip_unbind_user("", "P"), "user"),
        (lambda c: c.ip_unbind_user("U", None), "pass"),
        (lambda c: c.disable_user("U", ""), "pass"),
        (lambda c: c.modify_core_by_user("U", "P", None), "core"),
        (lambda c: c.modify_core_by_user("", "P", "C"), "user"),
        (lambda c: c.get_variable_by_user("U", "P"), "valueid"),
        (lambda c: c.get_variable_by_user("U", "", "V"), "pass"),
        (lambda c: c.modify_variable_by_user("U", "P", "", "x"), "valueid"),
        (lambda c: c.modify_variable_by_user("U", "P", "V", None), "valuecontent"),
    ],
)
def test_bad_arguments_fail_before_any_io(call: Callable[[kami_verify.Client], Any], field: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be sent")

    with pytest.raises(KamiValidationError) as raised:
        call(client(handler))
    assert raised.value.field == field


def test_optional_fields_are_left_out_when_not_given() -> None:
    sent: List[List[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append([k for k, _ in parse_qsl(request.content.decode(), keep_blank_values=True)])
        return httpx.Response(200, json={"code": "200", "msg": "ok"})

    c = client(handler)
    c.register("U", "P")
    c.register("U", "P", "")
    c.get_variable("K", "V")
    c.get_variable("K", valuename="N")
    c.modify_core("K", "")
    c.get_variable_by_user("U", "P", "V")
    c.modify_core_by_user("U", "P", "")
    assert sent == [
        ["user", "pass", "t", "s"],
        ["user", "pass", "t", "s"],
        ["kami", "valueid", "t", "s"],
        ["kami", "valueid", "valuename", "t", "s"],
        ["kami", "core", "t", "s"],
        ["user", "pass", "valueid", "t", "s"],
        ["user", "pass", "core", "t", "s"],
    ]


def test_count_and_data_replies() -> None:
    replies = iter(
        [
            {"code": "200", "msg": "12"},
            {"code": 200, "msg": 3},
            {"code": "200", "msg": "many"},
            {"code": "200", "msg": "6869"},
            {"code": "200", "msg": "签名一致", "autograph": "A", "time": 1700000000},
            {"code": "200", "ver": "三代", "msg": "3.0.0"},
            {"code": "200", "msg": "云文档\n第一章"},
            {"code": "200"},
        ]
    )
    c = client(lambda request: httpx.Response(200, json=next(replies)))
    assert c.online_kami().count == 12
    assert c.online_user().count == 3
    with pytest.raises(KamiResponseError) as raised:
        c.online_kami()
    assert raised.value.code == "RESPONSE_MISSING_FIELD"
    assert c.get_user_core("U", "P").core == "6869"
    signed = c.app_sign("A")
    assert (signed.msg, signed.autograph, signed.time) == ("签名一致", "A", 1700000000)
    version = c.version()
    assert (version.version, version.name) == ("3.0.0", "三代")
    assert c.cloud_doc("T").content == "云文档\n第一章"
    assert c.cloud_doc("T").content == ""


def test_errors_of_the_new_calls_carry_the_spec_machine_codes() -> None:
    table = json.loads((VECTORS / "messages.json").read_text(encoding="utf-8"))
    rows = {r["code"]: r["message"] for r in [*table["t3"]["seed"], *table["t3"]["other"]]}
    codes = sorted(
        {code for e in BUILT for code in [*e["messages"]["errors"], *CATALOGUE["common"]["errors"]]}
    )
    assert len(codes) > 40
    for code in codes:
        c = client(_answer({"code": "201", "msg": rows[code]}))
        with pytest.raises(kami_verify.KamiApiError) as raised:
            c.recharge("U", "C")
        assert raised.value.code == code


def test_route_keys_in_either_spelling_and_bad_route_values() -> None:
    seen: List[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"code": "200", "msg": "ok"})

    c = kami_verify.Client(
        "http://a.test",
        app_key=APP_KEY,
        routes={
            "kamiRecharge": "0123456789ABCDEF",
            "get_user_core": "/core",
            "some_future_endpoint": "x",
            "modifyCore": "/mc",
            # Not a route: a variant is sent on its endpoint's 调用码.
            "disable_user": "x",
        },
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    c.kami_recharge("T", "S")
    c.get_user_core("U", "P")
    c.modify_core_by_user("U", "P", "C")
    assert seen == ["/0123456789ABCDEF", "/core", "/mc"]
    with pytest.raises(KamiValidationError) as raised:
        c.online_user()
    assert raised.value.field == "routes.online_user"
    with pytest.raises(KamiValidationError) as raised:
        c.disable_user("U", "P")
    assert raised.value.field == "routes.disable"
    with pytest.raises(KamiValidationError):
        kami_verify.Client("http://a.test", app_key=APP_KEY, routes={"userLogin": "not-a-code"})
