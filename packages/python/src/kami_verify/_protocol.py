"""Every call of the client as an operation: a generator that yields the :class:`Call` it needs
sent and receives the :class:`HttpResponse`. No I/O here: :class:`~kami_verify.Client` and
:class:`~kami_verify.AsyncClient` drive the same operations with their own transports."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Generator, List, Mapping, Optional, Sequence, TypeVar, Union

from ._codecs import EncodingOption, codec_from_options
from ._endpoints import ENDPOINTS, ROUTE_NAMES, Checks, Reply, ordered_params
from ._errors import KamiApiError, KamiResponseError, KamiValidationError
from ._failover import HostRotation, validate_base_urls
from ._messages import USER_TOKEN_INVALID_TEXT, potato_error
from ._results import CardListResult
from ._signing import encode_form, md5_hex, sign_request
from ._wire import Call, HttpResponse, decode_t3_body, parse_retry_after, text

T = TypeVar("T")
Op = Generator[Call, HttpResponse, T]

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_CLOCK_SKEW = 5.0
MAX_CARDS_PER_CALL = 10

_FORM_HEADERS = {"content-type": "application/x-www-form-urlencoded"}
_ROUTE_CODE = re.compile(r"[0-9A-Fa-f]{16}")
_CAMEL_HUMP = re.compile(r"(?<=[a-z])([A-Z])")


def route_key(key: str) -> str:
    """The catalogue's name of a route key: the TypeScript options spell keys in camelCase
    (``checkUpdate``); both spellings are accepted so one config file serves both."""
    return _CAMEL_HUMP.sub(lambda m: "_" + m.group(1).lower(), key)


def route_paths(routes: Mapping[str, object]) -> Dict[str, str]:
    """Each endpoint's request path. A server's route map names its whole catalogue, so keys of
    endpoints this client does not call are skipped (not validated); empty values mean no route."""
    paths: Dict[str, str] = {}
    for key, value in routes.items():
        name = route_key(key) if isinstance(key, str) else ""
        if name in ROUTE_NAMES and value:
            paths[name] = _route_path(key, value)
    return paths


@dataclass(frozen=True)
class PotatoOptions:
    """potatocloud credentials for ``create_card_my`` / ``get_card_my_list``."""

    #: The app's ``askKey``.
    ask_key: str
    #: Base URL(s) of the potatocloud API; default the client's ``base_url``.
    base_url: Union[str, Sequence[str], None] = None
    #: A user token, if you already have one.
    api_user_token: Optional[str] = None
    #: Or the reseller account, to log in (and log in again when the token expires).
    user_number: Optional[str] = None
    pass_word: Optional[str] = None
    #: The app's signing secret, when its potato sign check is on.
    sign_secret: Optional[str] = None

    def __repr__(self) -> str:
        # Never print secrets.
        return f"PotatoOptions(ask_key=..., user_number={self.user_number!r})"


@dataclass(frozen=True)
class CallOptions:
    timeout: Optional[float] = None
    max_retries: Optional[int] = None
    deadline: Optional[float] = None


def potato_headers(
    *,
    ask_key: str,
    api_user_token: Optional[str],
    sign_secret: Optional[str],
    time_ms: int,
) -> Dict[str, str]:
    """Headers of one potatocloud call: ``askKey`` always, ``apiUserToken`` when authenticated,
    ``time`` + ``sign = md5(signSecret + time)`` when a sign secret is configured."""
    headers = {"content-type": "application/json", "askKey": ask_key}
    if api_user_token:
        headers["apiUserToken"] = api_user_token
    if sign_secret:
        headers["time"] = str(time_ms)
        headers["sign"] = md5_hex(f"{sign_secret}{time_ms}")
    return headers


def _route_path(name: str, route: object) -> str:
    if not isinstance(route, str) or not route:
        raise KamiValidationError(f"routes.{name}", f"routes.{name} must be a 调用码 or a path")
    if route.startswith("/"):
        return route
    if not _ROUTE_CODE.fullmatch(route):
        raise KamiValidationError(
            f"routes.{name}", f"routes.{name} must be a 16-hex 调用码 or a path starting with /"
        )
    return "/" + route


def _require_text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise KamiValidationError(field, f"{field} must be a non-empty string")
    return value


class Protocol:
    """The validated configuration and the operations built on it."""

    def __init__(
        self,
        *,
        base_url: Union[str, Sequence[str]],
        app_key: str,
        routes: Mapping[str, str],
        encoding: EncodingOption = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        verify_token: Union[str, bool] = "auto",
        success_code: Union[str, int] = 200,
        clock: Callable[[], float] = time.time,
        safe_code_factory: Optional[Callable[[], str]] = None,
        potato: Optional[PotatoOptions] = None,
    ) -> None:
        self.rotation = HostRotation(validate_base_urls(base_url))
        self._app_key = _require_text("app_key", app_key)
        if not isinstance(routes, Mapping):
            raise KamiValidationError("routes", "routes must be a mapping of endpoint name to 调用码")
        self._routes = route_paths(routes)
        if not (isinstance(timeout, (int, float)) and timeout > 0):
            raise KamiValidationError("timeout", "timeout must be a positive number of seconds")
        if not (isinstance(max_retries, int) and max_retries >= 0):
            raise KamiValidationError("max_retries", "max_retries must be an integer ≥ 0")
        if verify_token is True:
            verify_token = "auto"
        if verify_token not in ("auto", "basic", "signed", False):
            raise KamiValidationError(
                "verify_token", "verify_token must be 'auto', 'basic', 'signed' or False"
            )
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.clock = clock
        self._safe_code_factory = safe_code_factory or (lambda: secrets.token_hex(8))
        self._checks = Checks(
            app_key=self._app_key,
            success_code=success_code,
            now=clock,
            max_clock_skew=float(max_clock_skew),
            verify_token=verify_token or None,
        )
        self.codec = codec_from_options(encoding)
        self._potato = potato
        self.potato_rotation = (
            HostRotation(validate_base_urls(potato.base_url)) if potato and potato.base_url else self.rotation
        )
        self._potato_token = potato.api_user_token if potato else None

    def rotation_for(self, family: str) -> HostRotation:
        return self.potato_rotation if family == "potato" else self.rotation

    # -- T3 family -------------------------------------------------------------------------

    def t3(
        self, name: str, values: Mapping[str, Optional[str]], options: Optional[CallOptions] = None
    ) -> Op[Any]:
        """Signs, sends and checks one T3 call; returns the endpoint's result."""
        endpoint = ENDPOINTS.get(name)
        if endpoint is None:
            raise KamiValidationError("endpoint", f"unknown endpoint {name!r}")
        params = ordered_params(endpoint, values)
        path = self._routes.get(endpoint.route)
        if path is None:
            raise KamiValidationError(
                f"routes.{endpoint.route}", f"no route code configured for {endpoint.route}"
            )
        options = options or CallOptions()
        return self._t3_op(endpoint.name, path, params, options)

    def login(self, kami: str, imei: str, options: Optional[CallOptions] = None) -> Op[Any]:
        return self.t3("login", {"kami": kami, "imei": imei, "safe_code": self._safe_code_factory()}, options)

    def _t3_op(self, name: str, path: str, params: Sequence[Any], options: CallOptions) -> Op[Any]:
        endpoint = ENDPOINTS[name]
        signed = sign_request(params, app_key=self._app_key, codec=self.codec, timestamp=int(self.clock()))
        response = yield Call(
            family="t3",
            path=path,
            content=encode_form(signed.fields).encode("ascii"),
            headers=lambda: _FORM_HEADERS,
            idempotent=endpoint.idempotent,
            timeout=options.timeout or self.timeout,
            max_retries=self.max_retries if options.max_retries is None else options.max_retries,
            deadline=options.deadline,
        )
        body = decode_t3_body(response, self.codec)
        return endpoint.parse(Reply(body, response, signed.sign_text, dict(params), self._checks))

    # -- potatocloud ------------------------------------------------------------------------

    def _potato_options(self) -> PotatoOptions:
        if self._potato is None:
            raise KamiValidationError("potato", "potato options (ask_key, credentials) are required")
        _require_text("potato.ask_key", self._potato.ask_key)
        return self._potato

    def potato_login(
        self,
        user_number: Optional[str] = None,
        pass_word: Optional[str] = None,
        options: Optional[CallOptions] = None,
    ) -> Op[str]:
        """``/api/login`` → ``apiUserToken`` (kept for later calls)."""
        potato = self._potato_options()
        user = _require_text("user_number", user_number or potato.user_number)
        password = _require_text("pass_word", pass_word or potato.pass_word)
        return self._potato_login_op(user, password, options or CallOptions())

    def _potato_login_op(self, user: str, password: str, options: CallOptions) -> Op[str]:
        data = yield from self._potato_call(
            "/api/login", {"userNumber": user, "passWord": password}, True, False, options
        )
        token = data.get("apiUserToken") if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise KamiResponseError("RESPONSE_MISSING_FIELD", "响应数据缺少必要字段: data.apiUserToken")
        self._potato_token = token
        return token

    def create_card_my(
        self, type: int, total: int, options: Optional[CallOptions] = None
    ) -> Op[List[Dict[str, Any]]]:
        """``/api/createCardMy``: ``type`` 0–5, ``total`` 1–10."""
        if isinstance(type, bool) or not isinstance(type, int) or not 0 <= type <= 5:
            raise KamiValidationError(
                "type", "type must be an integer 0–5 (0 天卡, 1 周卡, 2 月卡, 3 季卡, 4 年卡, 5 永久卡)"
            )
        if isinstance(total, bool) or not isinstance(total, int) or not 1 <= total <= MAX_CARDS_PER_CALL:
            raise KamiValidationError("total", f"total must be an integer 1–{MAX_CARDS_PER_CALL}")
        self._potato_options()
        return self._create_card_op({"type": type, "total": total}, options or CallOptions())

    def _create_card_op(self, body: Dict[str, Any], options: CallOptions) -> Op[List[Dict[str, Any]]]:
        data = yield from self._authed("/api/createCardMy", body, False, options)
        if not isinstance(data, list):
            raise KamiResponseError("RESPONSE_MISSING_FIELD", "响应数据缺少必要字段: data")
        return data

    def get_card_my_list(
        self, query: Mapping[str, Any], options: Optional[CallOptions] = None
    ) -> Op[CardListResult]:
        self._potato_options()
        return self._card_list_op(dict(query), options or CallOptions())

    def _card_list_op(self, query: Dict[str, Any], options: CallOptions) -> Op[CardListResult]:
        data = yield from self._authed("/api/getCardMyList", query, True, options)
        cards: Any = data
        total = None
        if isinstance(data, dict):
            cards = next((data[k] for k in ("list", "records") if isinstance(data.get(k), list)), [])
            total = data.get("total") if isinstance(data.get("total"), int) else None
        return CardListResult(cards=cards if isinstance(cards, list) else [], total=total, raw=data)

    def _authed(self, path: str, body: Dict[str, Any], idempotent: bool, options: CallOptions) -> Op[Any]:
        """With the user token, logging in first (and once more on an expired token) when we can."""
        potato = self._potato_options()
        can_login = bool(potato.user_number and potato.pass_word)
        if not self._potato_token and can_login:
            yield from self._potato_login_op(potato.user_number or "", potato.pass_word or "", options)
        if not self._potato_token:
            raise KamiValidationError(
                "potato.api_user_token", "potato.api_user_token (or user_number + pass_word) is required"
            )
        try:
            return (yield from self._potato_call(path, body, idempotent, True, options))
        except KamiApiError as error:
            if error.server_message.strip() != USER_TOKEN_INVALID_TEXT or not can_login:
                raise
        yield from self._potato_login_op(potato.user_number or "", potato.pass_word or "", options)
        return (yield from self._potato_call(path, body, idempotent, True, options))

    def _potato_call(
        self, path: str, body: Mapping[str, Any], idempotent: bool, auth: bool, options: CallOptions
    ) -> Op[Any]:
        potato = self._potato_options()

        def headers() -> Dict[str, str]:
            # Fresh time and sign per attempt: the sign only covers the time.
            return potato_headers(
                ask_key=potato.ask_key,
                api_user_token=self._potato_token if auth else None,
                sign_secret=potato.sign_secret,
                time_ms=int(self.clock() * 1000),
            )

        response = yield Call(
            family="potato",
            path=path,
            content=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            headers=headers,
            idempotent=idempotent,
            timeout=options.timeout or self.timeout,
            max_retries=self.max_retries if options.max_retries is None else options.max_retries,
            deadline=options.deadline,
        )
        failed = response.status >= 400
        try:
            envelope = json.loads(response.text)
        except ValueError as error:
            raise KamiResponseError(
                "HTTP_ERROR" if failed else "RESPONSE_INVALID_JSON",
                f"HTTP {response.status}" if failed else "响应不是有效的JSON格式",
                http_status=response.status,
                body=response.text,
            ) from error
        if not isinstance(envelope, dict) or "code" not in envelope:
            raise KamiResponseError(
                "RESPONSE_MISSING_FIELD",
                "响应数据缺少必要字段: code",
                http_status=response.status,
                body=response.text,
            )
        if text(envelope["code"]) != "200":
            message = envelope.get("message")
            raise potato_error(
                message if isinstance(message, str) else "",
                server_code=envelope["code"],
                http_status=response.status,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        return envelope.get("data")
