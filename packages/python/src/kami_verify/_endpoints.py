"""The T3-family endpoints as data: one row per endpoint of ``spec/catalogue/t3.json`` and per
``variant`` of one (its parameters in the catalogue's send order, whether it may be resent, and how
its reply becomes a result). A new endpoint is a new row; ``tests/test_catalogue.py`` holds the
rows to the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from ._errors import KamiResponseError, KamiValidationError
from ._messages import ALREADY_LATEST_TEXT, HEARTBEAT_ONLINE_TEXT, t3_code_for_message
from ._results import (
    AppSignResult,
    CheckUpdateResult,
    CloudDocResult,
    CoreResult,
    CountResult,
    HeartbeatResult,
    LoginResult,
    MessageResult,
    QueryResult,
    UserLoginResult,
    VariableResult,
    VersionResult,
)
from ._token import check_clock_skew, check_safe_code, verify_login_token
from ._wire import Body, HttpResponse, is_success, number, raise_t3_error, require, text, whole


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


def _any_text(name: str, value: str) -> None:
    """Data fields (core, a variable's value) may be empty."""


def _imei(name: str, value: str) -> None:
    _non_empty(name, value)
    if "'" in value:
        raise KamiValidationError(name, "imei must not contain ' (机器码不合法,因为存在'号)")


def _variable_named(values: Mapping[str, str]) -> None:
    # The server looks a variable up by valueid, or by valuename when the id is empty.
    if not values.get("valueid") and not values.get("valuename"):
        raise KamiValidationError("valueid", "valueid or valuename must be a non-empty string")


@dataclass(frozen=True)
class Param:
    name: str
    required: bool = True
    check: Callable[[str, str], None] = _non_empty


@dataclass(frozen=True)
class Endpoint:
    #: The client method's name: the catalogue's endpoint name, or a variant's ``sdk`` name.
    name: str
    params: Tuple[Param, ...]
    idempotent: bool
    parse: Callable[[Reply], Any]
    #: A check across parameters, after each one's own.
    check: Optional[Callable[[Mapping[str, str]], None]] = None
    #: The catalogue endpoint whose 调用码 it is sent on, when not ``name``: a variant shares its
    #: endpoint's route (``unbind_user`` is sent on ``routes["unbind"]``).
    variant_of: Optional[str] = None

    @property
    def route(self) -> str:
        """The key of its 调用码 in ``routes``."""
        return self.variant_of or self.name


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
        line=None if body.get("line") is None else whole(body["line"]),
        line_time=None if body.get("line_time") is None else text(body["line_time"]),
        raw=body,
    )


def parse_message(reply: Reply) -> MessageResult:
    body = reply.ok()
    return MessageResult(msg=text(body.get("msg")), raw=body)


def parse_version(reply: Reply) -> VersionResult:
    body = reply.ok()
    # msg is the version number (what t3sdk reads); ver the display name.
    for key in ("msg", "version", "ver"):
        if body.get(key) is not None:
            name = None if body.get("ver") is None else text(body["ver"])
            return VersionResult(version=text(body[key]), name=name, raw=body)
    raise KamiResponseError("RESPONSE_MISSING_FIELD", "响应数据缺少必要字段: msg")


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


def parse_core(reply: Reply) -> CoreResult:
    body = reply.ok()
    return CoreResult(core=text(body.get("msg", "")), raw=body)


def parse_count(reply: Reply) -> CountResult:
    body = reply.ok()
    count = text(body.get("msg", "0")).strip()
    if not count.isdigit():
        raise KamiResponseError("RESPONSE_MISSING_FIELD", "响应数据缺少必要字段: msg")
    return CountResult(count=int(count), raw=body)


def parse_app_sign(reply: Reply) -> AppSignResult:
    body = reply.ok()
    return AppSignResult(
        msg=text(body.get("msg")),
        autograph=text(body.get("autograph", "")),
        time=None if body.get("time") is None else number(body["time"]),
        raw=body,
    )


def parse_variable(reply: Reply) -> VariableResult:
    body = reply.ok()
    return VariableResult(value=text(body.get("msg", "")), raw=body)


def parse_cloud_doc(reply: Reply) -> CloudDocResult:
    body = reply.ok()
    return CloudDocResult(content=text(body.get("msg", "")), raw=body)


def parse_user_login(reply: Reply) -> UserLoginResult:
    """Checked exactly like a card login's reply (no safe_code: user_login sends none)."""
    body = reply.ok()
    require(body, "id", "end_time", "token", "statecode", "time", "date")
    checks = reply.checks
    check_clock_skew(body["time"], checks.now(), checks.max_clock_skew)
    if checks.verify_token is not None:
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
    return UserLoginResult(
        id=body["id"],
        end_time=text(body["end_time"]),
        token=text(body["token"]),
        statecode=text(body["statecode"]),
        time=number(body["time"]),
        date=text(body["date"]),
        recharge=number(body.get("recharge", 0)),
        use_time=text(body.get("use_time")),
        available=number(body.get("available")),
        imei=text(body.get("imei")) or reply.params["imei"],
        change=number(body.get("change", 0)),
        core=text(body.get("core")),
        user=reply.params["user"],
        sign_text=reply.sign_text,
        raw=body,
    )


def parse_raw(reply: Reply) -> Body:
    """For endpoints without a result type: the success body as a dict."""
    return reply.ok()


_KAMI = Param("kami")
_USER = Param("user")
_PASS = Param("pass")
_STATECODE = Param("statecode")

ENDPOINTS: Dict[str, Endpoint] = {
    e.name: e
    for e in (
        # Card family.
        Endpoint("login", (_KAMI, Param("imei", check=_imei), Param("safe_code")), False, parse_login),
        Endpoint("heartbeat", (Param("kami", required=False), _STATECODE), True, parse_heartbeat),
        Endpoint("query", (_KAMI,), True, parse_query),
        Endpoint("unbind", (_KAMI, Param("imei", check=_imei)), False, parse_message),
        Endpoint("ip_unbind", (_KAMI,), True, parse_message),
        Endpoint("disable", (_KAMI,), True, parse_message),
        # Not resent: a lost reply of a consumed source card would be answered 充值卡密已被使用.
        Endpoint("kami_recharge", (Param("target_kami"), Param("source_kami")), False, parse_message),
        Endpoint("get_kami_core", (_KAMI,), True, parse_core),
        Endpoint("modify_core", (_KAMI, Param("core", check=_any_text)), True, parse_message),
        Endpoint(
            "get_variable",
            (_KAMI, Param("valueid", check=_any_text), Param("valuename", required=False, check=_any_text)),
            True,
            parse_variable,
            check=_variable_named,
        ),
        Endpoint(
            "modify_variable",
            (_KAMI, Param("valueid"), Param("valuecontent", check=_any_text)),
            True,
            parse_message,
        ),
        Endpoint("heartbeat_any", (_STATECODE,), True, parse_heartbeat),
        Endpoint("online_kami", (), True, parse_count),
        # App family.
        Endpoint("notice", (), True, parse_message),
        Endpoint("version", (), True, parse_version),
        Endpoint("check_update", (Param("ver"),), True, parse_check_update),
        Endpoint("app_sign", (Param("autograph"),), True, parse_app_sign),
        Endpoint("cloud_doc", (Param("token"),), True, parse_cloud_doc),
        # Account family (账号模式).
        Endpoint("register", (_USER, _PASS, Param("email", required=False)), False, parse_message),
        Endpoint("user_login", (_USER, _PASS, Param("imei", check=_imei)), False, parse_user_login),
        Endpoint("user_heartbeat", (_USER, _PASS, _STATECODE), True, parse_heartbeat),
        Endpoint("change_password", (_USER, Param("oldpass"), Param("newpass")), False, parse_message),
        Endpoint("user_cancel", (_USER, _PASS), False, parse_message),
        Endpoint("recharge", (_USER, Param("card")), False, parse_message),
        Endpoint("get_user_core", (_USER, _PASS), True, parse_core),
        Endpoint("online_user", (), True, parse_count),
        # The card calls made with an account (t3sdk's *_user methods): same routes, same
        # idempotence, ``user`` + ``pass`` in place of ``kami``.
        Endpoint(
            "unbind_user",
            (_USER, _PASS, Param("imei", check=_imei)),
            False,
            parse_message,
            variant_of="unbind",
        ),
        Endpoint("ip_unbind_user", (_USER, _PASS), True, parse_message, variant_of="ip_unbind"),
        Endpoint("disable_user", (_USER, _PASS), True, parse_message, variant_of="disable"),
        Endpoint(
            "modify_core_by_user",
            (_USER, _PASS, Param("core", check=_any_text)),
            True,
            parse_message,
            variant_of="modify_core",
        ),
        Endpoint(
            "get_variable_by_user",
            (
                _USER,
                _PASS,
                Param("valueid", check=_any_text),
                Param("valuename", required=False, check=_any_text),
            ),
            True,
            parse_variable,
            check=_variable_named,
            variant_of="get_variable",
        ),
        Endpoint(
            "modify_variable_by_user",
            (_USER, _PASS, Param("valueid"), Param("valuecontent", check=_any_text)),
            True,
            parse_message,
            variant_of="modify_variable",
        ),
    )
}

#: The route keys (catalogue endpoint names) the table sends on.
ROUTE_NAMES = frozenset(e.route for e in ENDPOINTS.values())


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
    if endpoint.check is not None:
        endpoint.check(dict(fields))
    return tuple(fields)
