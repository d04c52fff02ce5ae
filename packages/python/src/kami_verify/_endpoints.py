"""The T3-family endpoints as data: one row per endpoint (its parameters in send order, whether it
may be resent, and how its reply becomes a result). A new endpoint is a new row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from ._errors import KamiResponseError, KamiValidationError
from ._messages import ALREADY_LATEST_TEXT, HEARTBEAT_ONLINE_TEXT, t3_code_for_message
from ._results import (
    CheckUpdateResult,
    HeartbeatResult,
    LoginResult,
    MessageResult,
    QueryResult,
    VersionResult,
)
from ._token import check_clock_skew, check_safe_code, verify_login_token
from ._wire import Body, HttpResponse, is_success, number, raise_t3_error, require, text


@dataclass(frozen=True)
class Checks:
    """The client settings a reply is checked against."""

    app_key: str
    success_code: Any
    now: Callable[[], float]
    max_clock_skew: float
    #: ``"auto"``, ``"basic"``, ``"signed"`` or ``None`` (no token check).
    verify_token: Optional[str]


@dataclass(frozen=True)
class Reply:
    body: Body
    response: HttpResponse
    #: The request's pre-hash sign text.
    sign_text: str
    #: The parameters as the caller gave them (before encoding).
    params: Mapping[str, str]
    checks: Checks

    def ok(self) -> Body:
        """The body, or the typed error when its ``code`` is not the success code."""
        if not is_success(self.body.get("code"), self.checks.success_code):
            raise_t3_error(self.body, self.response)
        return self.body


def _non_empty(name: str, value: str) -> None:
    if not value:
        raise KamiValidationError(name, f"{name} must be a non-empty string")


def _imei(name: str, value: str) -> None:
    _non_empty(name, value)
    if "'" in value:
        raise KamiValidationError(name, "imei must not contain ' (机器码不合法,因为存在'号)")


@dataclass(frozen=True)
class Param:
    name: str
    required: bool = True
    check: Callable[[str, str], None] = _non_empty


@dataclass(frozen=True)
class Endpoint:
    #: The route key (``routes["check_update"]``) and the client method's name.
    name: str
    params: Tuple[Param, ...]
    idempotent: bool
    parse: Callable[[Reply], Any]


def parse_login(reply: Reply) -> LoginResult:
    body = reply.ok()
    require(body, "id", "end_time", "token", "statecode", "time", "date")
    checks = reply.checks
    check_clock_skew(body["time"], checks.now(), checks.max_clock_skew)
    echoed = None if body.get("safe_code") is None else text(body["safe_code"])
    if checks.verify_token is not None:
        # The reply's own fields are the proof (its own `date`, never the local minute).
        verify_login_token(
            id=body["id"],
            end_time=text(body["end_time"]),
            token=text(body["token"]),
            statecode=text(body["statecode"]),
            time=body["time"],
            date=text(body["date"]),
            app_key=checks.app_key,
            sign_text=reply.sign_text,
            variant=checks.verify_token,
        )
        check_safe_code(reply.params["safe_code"], echoed)
    return LoginResult(
        id=body["id"],
        end_time=text(body["end_time"]),
        amount=text(body.get("amount")),
        available=number(body.get("available")),
        token=text(body["token"]),
        statecode=text(body["statecode"]),
        safe_code=echoed,
        time=number(body["time"]),
        date=text(body["date"]),
        imei=text(body.get("imei")) or reply.params["imei"],
        change=number(body.get("change", 0)),
        core=text(body.get("core")),
        kami=reply.params["kami"],
        sign_text=reply.sign_text,
        recharge=body.get("recharge"),
        use_time=body.get("use_time"),
        raw=body,
    )


def parse_heartbeat(reply: Reply) -> HeartbeatResult:
    body = reply.ok()
    require(body, "time")
    check_clock_skew(body["time"], reply.checks.now(), reply.checks.max_clock_skew)
    return HeartbeatResult(
        msg=text(body.get("msg", HEARTBEAT_ONLINE_TEXT)),
        time=number(body["time"]),
        date=text(body.get("date")),
        raw=body,
    )


def parse_query(reply: Reply) -> QueryResult:
    body = reply.ok()
    return QueryResult(
        id=body.get("id"),
        state=body.get("state"),
        use=body.get("use"),
        use_time=body.get("use_time"),
        end_time=None if body.get("end_time") is None else text(body["end_time"]),
        amount=None if body.get("amount") is None else text(body["amount"]),
        available=None if body.get("available") is None else number(body["available"]),
        raw=body,
    )


def parse_message(reply: Reply) -> MessageResult:
    body = reply.ok()
    return MessageResult(msg=text(body.get("msg")), raw=body)


def parse_version(reply: Reply) -> VersionResult:
    body = reply.ok()
    for key in ("ver", "version", "msg"):
        if body.get(key) is not None:
            return VersionResult(version=text(body[key]), raw=body)
    raise KamiResponseError("RESPONSE_MISSING_FIELD", "响应数据缺少必要字段: ver")


def parse_check_update(reply: Reply) -> CheckUpdateResult:
    body = reply.body
    # 201 means "already latest", but servers use 201 for errors too: a known error text wins.
    if text(body.get("code")) == "201" and t3_code_for_message(text(body.get("msg"))) is None:
        return CheckUpdateResult(latest=True, msg=text(body.get("msg", ALREADY_LATEST_TEXT)), raw=body)
    body = reply.ok()
    return CheckUpdateResult(
        latest=False,
        msg=text(body.get("msg")),
        version=text(body.get("ver", body.get("version"))),
        uplog=text(body.get("uplog")),
        upurl=text(body.get("upurl")),
        raw=body,
    )


def parse_raw(reply: Reply) -> Body:
    """For endpoints without a result type: the success body as a dict."""
    return reply.ok()


ENDPOINTS: Dict[str, Endpoint] = {
    e.name: e
    for e in (
        Endpoint(
            "login", (Param("kami"), Param("imei", check=_imei), Param("safe_code")), False, parse_login
        ),
        Endpoint("heartbeat", (Param("statecode"), Param("kami", required=False)), True, parse_heartbeat),
        Endpoint("query", (Param("kami"),), True, parse_query),
        Endpoint("unbind", (Param("kami"), Param("imei", check=_imei)), False, parse_message),
        Endpoint("notice", (), True, parse_message),
        Endpoint("version", (), True, parse_version),
        Endpoint("check_update", (Param("ver"),), True, parse_check_update),
    )
}


def ordered_params(endpoint: Endpoint, values: Mapping[str, Optional[str]]) -> Tuple[Tuple[str, str], ...]:
    """The endpoint's fields in send order, validated; optional ones left out when ``None``."""
    unknown = set(values) - {p.name for p in endpoint.params}
    if unknown:
        raise KamiValidationError(
            sorted(unknown)[0], f"{endpoint.name} takes no parameter {sorted(unknown)[0]!r}"
        )
    fields = []
    for param in endpoint.params:
        value = values.get(param.name)
        if value is None and not param.required:
            continue
        if not isinstance(value, str):
            raise KamiValidationError(param.name, f"{param.name} must be a non-empty string")
        param.check(param.name, value)
        fields.append((param.name, value))
    return tuple(fields)
