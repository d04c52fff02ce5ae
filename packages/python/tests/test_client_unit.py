"""The client against injected faults (httpx.MockTransport): failover rules, reply checks, errors.
The happy paths run against the real server in test_integration*.py."""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qsl

import httpx
import pytest

import kami_verify
from kami_verify import KamiApiError, KamiConnectionError, KamiResponseError, KamiVerificationError
from kami_verify._signing import build_sign_text
from kami_verify._token import compute_login_token, compute_statecode

APP_KEY = "8f3e2a1b9c7d4e6f0a5b3c2d1e9f8a7b"
ROUTES = {"login": "/login", "heartbeat": "/hb", "query": "/query", "unbind": "/unbind"}
HOSTS = ["http://a.test", "http://b.test"]
Handler = Callable[[httpx.Request], httpx.Response]


def login_reply(request: httpx.Request, **changes: Any) -> Dict[str, Any]:
    """A correct reply to a plain-mode login request, then ``changes`` applied (to tamper with it)."""
    fields = parse_qsl(request.content.decode(), keep_blank_values=True)
    form = dict(fields)
    now = int(time.time())
    date = time.strftime("%Y%m%d%H%M", time.gmtime(now + 8 * 3600))
    end_time = "2099-12-31 23:59:59"
    token = compute_login_token(id=7, app_key=APP_KEY, end_time=end_time, date=date)
    body = {
        "code": "200",
        "id": 7,
        "end_time": end_time,
        "amount": "永久卡",
        "available": 1,
        "token": token,
        "statecode": compute_statecode(token, now),
        "safe_code": form["safe_code"],
        "time": now,
        "date": date,
        "imei": form["imei"],
        "change": 0,
        "core": "",
    }
    assert build_sign_text(fields, APP_KEY).endswith(APP_KEY)
    body.update(changes)
    return body


def client(handler: Handler, hosts: Optional[List[str]] = None, **options: Any) -> kami_verify.Client:
    options.setdefault("max_retries", 1)
    return kami_verify.Client(
        hosts or HOSTS,
        app_key=APP_KEY,
        routes=ROUTES,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **options,
    )


class Recorder:
    def __init__(self, *steps: Callable[[httpx.Request], httpx.Response]) -> None:
        self.steps = list(steps)
        self.seen: List[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        return step(request)


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def read_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("connection reset", request=request)


def ok_login(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=login_reply(request))


def status(code: int, body: str = "<html>bad gateway</html>", **headers: str) -> Handler:
    return lambda request: httpx.Response(code, text=body, headers=headers)


# -- failover -----------------------------------------------------------------------------------


def test_login_fails_over_from_a_dead_host_and_prefers_the_live_one() -> None:
    fake = Recorder(refuse, ok_login, ok_login)
    c = client(fake)
    assert c.login("CARD", "DEV").kami == "CARD"
    c.login("CARD", "DEV")
    assert fake.seen == ["http://a.test/login", "http://b.test/login", "http://b.test/login"]


def test_login_is_never_resent_once_it_may_have_arrived() -> None:
    fake = Recorder(read_error, ok_login)
    with pytest.raises(KamiConnectionError) as raised:
        client(fake).login("CARD", "DEV")
    assert raised.value.phase == "unknown" and raised.value.retryable
    assert fake.seen == ["http://a.test/login"]


def test_login_is_not_resent_after_a_5xx_but_408_is_safe() -> None:
    fake = Recorder(status(502))
    with pytest.raises(KamiResponseError) as raised:
        client(fake).login("CARD", "DEV")
    assert (raised.value.code, raised.value.http_status) == ("HTTP_ERROR", 502)
    assert len(fake.seen) == 1
    fake = Recorder(status(408), ok_login)
    client(fake).login("CARD", "DEV")
    assert fake.seen == ["http://a.test/login", "http://b.test/login"]


def test_idempotent_calls_retry_over_all_hosts_honouring_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: List[float] = []
    monkeypatch.setattr("kami_verify._client.time.sleep", sleeps.append)
    answer = lambda request: httpx.Response(200, json={"code": 200, "id": 1, "amount": "1天"})  # noqa: E731
    fake = Recorder(status(503), status(429, "{}", **{"retry-after": "7"}), answer)
    result = client(fake).query("CARD")
    assert result.amount == "1天" and fake.seen[-1] == "http://a.test/query" and len(fake.seen) == 3
    assert sleeps == [7.0]  # one pause between the rounds: the last answer's Retry-After
    fake = Recorder(status(503), answer)
    sleeps.clear()
    client(fake, hosts=HOSTS[:1]).query("CARD")
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5  # no Retry-After: jittered backoff


def test_query_reports_line_and_line_time_only_when_the_server_sends_them() -> None:
    body = {"code": 200, "id": 1, "amount": "1天", "line": 2, "line_time": "2026-11-27 13:00:00"}
    result = client(Recorder(lambda request: httpx.Response(200, json=body))).query("CARD")
    assert (result.line, result.line_time) == (2, "2026-11-27 13:00:00")
    body = {"code": 200, "id": 1, "amount": "1天", "line": "0", "line_time": ""}
    result = client(Recorder(lambda request: httpx.Response(200, json=body))).query("CARD")
    assert (result.line, result.line_time) == (0, "")
    body = {"code": 200, "id": 1, "amount": "1天"}
    result = client(Recorder(lambda request: httpx.Response(200, json=body))).query("CARD")
    assert (result.line, result.line_time) == (None, None)


def test_idempotent_call_gives_up_after_max_retries_with_the_last_error() -> None:
    fake = Recorder(refuse)
    with pytest.raises(KamiConnectionError) as raised:
        client(fake, max_retries=0).query("CARD")
    assert raised.value.phase == "connect"
    assert len(fake.seen) == 2


def test_connect_timeout_is_a_timeout_in_the_connect_phase() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(kami_verify.KamiTimeoutError) as raised:
        client(slow, hosts=HOSTS[:1]).login("CARD", "DEV")
    assert (raised.value.code, raised.value.phase) == ("TIMEOUT", "connect")


def test_read_timeout_of_a_login_is_not_resent() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    fake = Recorder(slow, ok_login)
    with pytest.raises(kami_verify.KamiTimeoutError) as raised:
        client(fake).login("CARD", "DEV")
    assert raised.value.phase == "unknown" and len(fake.seen) == 1


# -- reply checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"token": "0" * 32}, "TOKEN_MISMATCH"),
        ({"end_time": "2100-01-01 00:00:00"}, "TOKEN_MISMATCH"),
        ({"id": 8}, "TOKEN_MISMATCH"),
        ({"statecode": "f" * 32}, "STATECODE_MISMATCH"),
        ({"safe_code": "not-the-nonce"}, "SAFE_CODE_MISMATCH"),
        ({"safe_code": None}, "SAFE_CODE_MISMATCH"),
        ({"time": 1000}, "CLOCK_SKEW"),
    ],
)
def test_tampered_login_replies_are_rejected(changes: Dict[str, Any], code: str) -> None:
    fake = Recorder(lambda request: httpx.Response(200, json=login_reply(request, **changes)))
    with pytest.raises(KamiVerificationError) as raised:
        client(fake).login("CARD", "DEV")
    assert raised.value.code == code


def test_token_check_uses_the_replys_date_not_the_local_minute() -> None:
    def old_minute(request: httpx.Request) -> httpx.Response:
        body = login_reply(request)
        date = "202001010000"  # not this minute: only the reply's own date may be used
        token = compute_login_token(id=7, app_key=APP_KEY, end_time=body["end_time"], date=date)
        body.update(date=date, token=token, statecode=compute_statecode(token, body["time"]))
        return httpx.Response(200, json=body)

    assert client(old_minute).login("CARD", "DEV").date == "202001010000"


def test_verify_token_false_skips_the_token_but_not_the_clock() -> None:
    tampered = Recorder(lambda request: httpx.Response(200, json=login_reply(request, token="0" * 32)))
    assert client(tampered, verify_token=False).login("CARD", "DEV").token == "0" * 32
    skewed = Recorder(lambda request: httpx.Response(200, json=login_reply(request, time=1000)))
    with pytest.raises(KamiVerificationError):
        client(skewed, verify_token=False).login("CARD", "DEV")


def test_int_and_string_success_codes_and_custom_success_code() -> None:
    for code in (200, "200"):

        def reply(request: httpx.Request, code: Any = code) -> httpx.Response:
            return httpx.Response(200, json=login_reply(request, code=code))

        assert client(Recorder(reply)).login("CARD", "DEV").id == 7
    fake = Recorder(lambda request: httpx.Response(200, json=login_reply(request, code=1)))
    assert client(fake, success_code=1).login("CARD", "DEV").id == 7
    with pytest.raises(KamiApiError) as raised:
        client(fake).login("CARD", "DEV")
    assert raised.value.server_code == 1 and raised.value.code == "UNKNOWN_SERVER_ERROR"


# -- errors ------------------------------------------------------------------------------------------


def test_rate_limit_carries_retry_after() -> None:
    fake = Recorder(
        status(429, json.dumps({"code": 201, "msg": "请求过于频繁,请稍后再试"}), **{"retry-after": "7"})
    )
    with pytest.raises(kami_verify.KamiRateLimitError) as raised:
        client(fake).login("CARD", "DEV")
    assert raised.value.retry_after == 7.0 and raised.value.retryable


@pytest.mark.parametrize(
    ("response", "code"),
    [
        (httpx.Response(200, text="not json"), "RESPONSE_INVALID_JSON"),
        (httpx.Response(200, text="[1,2]"), "RESPONSE_INVALID_JSON"),
        (httpx.Response(200, json={"msg": "x"}), "RESPONSE_MISSING_FIELD"),
        (httpx.Response(200, json={"code": "200", "id": 1}), "RESPONSE_MISSING_FIELD"),
        (httpx.Response(502, text="<html>"), "HTTP_ERROR"),
    ],
)
def test_unusable_replies(response: httpx.Response, code: str) -> None:
    with pytest.raises(KamiResponseError) as raised:
        client(lambda request: response).login("CARD", "DEV")
    assert raised.value.code == code


def test_base64_mode_garbage_is_a_decode_error() -> None:
    alphabet = "".join(reversed(kami_verify._codecs.STANDARD_ALPHABET))
    c = client(
        lambda request: httpx.Response(200, text="%%%not-base64%%%"),
        encoding={"mode": "base64", "alphabet": alphabet},
    )
    with pytest.raises(KamiResponseError) as raised:
        c.query("CARD")
    assert raised.value.code == "RESPONSE_DECODE_FAILED"


def test_server_errors_keep_the_original_message() -> None:
    fake = Recorder(lambda request: httpx.Response(200, json={"code": "201", "msg": "卡密已到期"}))
    with pytest.raises(KamiApiError) as raised:
        client(fake).login("CARD", "DEV")
    error = raised.value
    assert (error.code, error.server_message, error.server_code, error.http_status) == (
        "CARD_EXPIRED",
        "卡密已到期",
        "201",
        200,
    )
    assert not error.retryable


# -- validation before any I/O -------------------------------------------------------------------------


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("no request expected")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.login("", "DEV"), "kami"),
        (lambda c: c.login("CARD", "it's"), "imei"),
        (lambda c: c.unbind("CARD", ""), "imei"),
        (lambda c: c.heartbeat(""), "statecode"),
        (lambda c: c.notice(), "routes.notice"),
        (lambda c: c.call("nope"), "endpoint"),
        (lambda c: c.call("query", kami="A", extra="B"), "extra"),
        (lambda c: c.create_card_my(1, 1), "potato"),
    ],
)
def test_bad_input_is_a_validation_error(call: Callable[[kami_verify.Client], Any], field: str) -> None:
    with pytest.raises(kami_verify.KamiValidationError) as raised:
        call(client(never))
    assert raised.value.field == field and raised.value.code == "INVALID_ARGUMENT"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"base_url": "ftp://x"}, "base_url"),
        ({"base_url": []}, "base_url"),
        ({"app_key": ""}, "app_key"),
        ({"routes": {"login": "not-a-code"}}, "routes.login"),
        ({"encoding": {"mode": "rsa", "publicKey": "garbage"}}, "encoding.publicKey"),
        ({"encoding": {"mode": "base64", "alphabet": "abc"}}, "encoding.alphabet"),
        ({"encoding": {"mode": "xor"}}, "encoding.mode"),
        ({"timeout": 0}, "timeout"),
        ({"verify_token": "maybe"}, "verify_token"),
    ],
)
def test_bad_options(options: Dict[str, Any], field: str) -> None:
    values: Dict[str, Any] = {"base_url": "http://x.test", "app_key": APP_KEY, "routes": ROUTES, **options}
    with pytest.raises(kami_verify.KamiValidationError) as raised:
        kami_verify.Client(values.pop("base_url"), **values)
    assert raised.value.field == field


def test_route_codes_become_paths_and_secrets_stay_out_of_repr() -> None:
    seen: List[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"code": 200, "msg": "hi"})

    c = kami_verify.Client(
        "http://x.test/",
        app_key=APP_KEY,
        routes={"notice": "813B2676E9690C89"},
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    assert c.notice().msg == "hi" and seen == ["/813B2676E9690C89"]
    assert APP_KEY not in repr(c)
    assert "secret" not in repr(kami_verify.PotatoOptions(ask_key="a", pass_word="secret"))


# -- potatocloud ------------------------------------------------------------------------------------


def test_potato_logs_in_again_once_when_the_token_expired() -> None:
    seen: List[str] = []
    tokens = iter(["t1", "t2"])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.path} {request.headers.get('apiUserToken')}")
        if request.url.path == "/api/login":
            return httpx.Response(200, json={"code": "200", "data": {"apiUserToken": next(tokens)}})
        if request.headers.get("apiUserToken") == "t1":
            return httpx.Response(200, json={"code": "403", "message": "用户令牌无效或登录已超时"})
        return httpx.Response(200, json={"code": "200", "data": [{"cardStr": "X", "id": "1"}]})

    potato = kami_verify.PotatoOptions(ask_key="ask", user_number="u", pass_word="p", sign_secret="sec")
    c = client(handler, potato=potato)
    assert c.create_card_my(0, 1) == [{"cardStr": "X", "id": "1"}]
    assert seen == ["/api/login None", "/api/createCardMy t1", "/api/login None", "/api/createCardMy t2"]


def test_potato_error_envelope() -> None:
    handler = lambda request: httpx.Response(200, json={"code": 403, "message": "未开启API生成卡密"})  # noqa: E731
    with pytest.raises(KamiApiError) as raised:
        client(handler, potato=kami_verify.PotatoOptions(ask_key="a", api_user_token="t")).create_card_my(
            1, 1
        )
    assert raised.value.code == "PERMISSION_DENIED"


def test_a_new_endpoint_is_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    from kami_verify._endpoints import ENDPOINTS, Endpoint, Param, parse_raw

    seen: List[List[Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(parse_qsl(request.content.decode()))
        return httpx.Response(200, json={"code": 200, "msg": "42"})

    monkeypatch.setitem(
        ENDPOINTS,
        "get_variable",
        Endpoint("get_variable", (Param("kami"), Param("valueid")), True, parse_raw),
    )
    c = kami_verify.Client(
        "http://x.test",
        app_key=APP_KEY,
        routes={"get_variable": "/var"},
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    assert c.call("get_variable", kami="CARD", valueid="7")["msg"] == "42"
    assert [name for name, _ in seen[0]] == ["kami", "valueid", "t", "s"]
    with pytest.raises(kami_verify.KamiValidationError):
        c.call("get_variable", kami="CARD")
