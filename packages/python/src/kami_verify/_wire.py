"""Wire-level types and reply decoding shared by every call (no I/O here)."""

from __future__ import annotations

import json
import math
import time as _time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Mapping, Optional

from ._codecs import Codec, CodecError
from ._errors import KamiResponseError
from ._messages import t3_error

Body = Dict[str, Any]


@dataclass(frozen=True)
class HttpRequest:
    """One attempt against one host."""

    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes
    #: Seconds for this attempt.
    timeout: float


@dataclass(frozen=True)
class HttpResponse:
    status: int
    #: Lower-case names.
    headers: Mapping[str, str]
    text: str


@dataclass(frozen=True)
class Call:
    """A logical call: sent to the hosts of ``family`` with failover."""

    family: str  # "t3" or "potato"
    path: str
    content: bytes
    #: Built per attempt (potatocloud signs the time of each attempt).
    headers: Callable[[], Mapping[str, str]]
    #: Safe to send again after it may have reached a server (heartbeat, query...).
    idempotent: bool
    timeout: float
    max_retries: int
    #: A ``time.monotonic()`` moment after which no attempt starts and none may run on.
    deadline: Optional[float] = None


def parse_retry_after(value: Optional[str], now: Callable[[], float] = _time.time) -> Optional[float]:
    """``Retry-After`` in seconds (a number of seconds or an HTTP date), ``None`` when absent or bad."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment is None:  # pragma: no cover - older Pythons returned None
            return None
        return max(0.0, moment.timestamp() - now())
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _try_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _INVALID


_INVALID = object()


def decode_t3_body(response: HttpResponse, codec: Codec) -> Body:
    """Codec first, then JSON. A plain JSON body is accepted in any mode (some errors come before
    the server knows the app's codec), but a custom alphabet may start with ``{`` too, so a
    leading brace only wins when it really parses."""
    raw = response.text.strip()
    parsed = _try_json(raw) if raw.startswith("{") else _INVALID
    failed = response.status >= 400
    if parsed is _INVALID:
        text = raw
        if codec.mode != "plain":
            try:
                text = codec.decode_response(raw)
            except CodecError as error:
                raise KamiResponseError(
                    "HTTP_ERROR" if failed else "RESPONSE_DECODE_FAILED",
                    f"HTTP {response.status}" if failed else f"响应解码失败: {error}",
                    http_status=response.status,
                    body=response.text,
                ) from error
        parsed = _try_json(text)
        if parsed is _INVALID:
            raise KamiResponseError(
                "HTTP_ERROR" if failed else "RESPONSE_INVALID_JSON",
                f"HTTP {response.status}" if failed else "响应不是有效的JSON格式",
                http_status=response.status,
                body=response.text,
            )
    if not isinstance(parsed, dict):
        raise KamiResponseError(
            "RESPONSE_INVALID_JSON",
            "响应不是有效的JSON格式: expected an object",
            http_status=response.status,
            body=response.text,
        )
    return parsed


def is_success(code: Any, success_code: Any) -> bool:
    """``"200"`` and ``200`` both count."""
    return code is not None and text(code) == text(success_code)


def raise_t3_error(body: Body, response: HttpResponse) -> None:
    """Raises the typed error of a non-success T3 body."""
    if body.get("code") is None:
        raise KamiResponseError(
            "RESPONSE_MISSING_FIELD",
            "响应数据缺少必要字段: code",
            http_status=response.status,
            body=response.text,
        )
    msg = next((body[k] for k in ("msg", "message") if isinstance(body.get(k), str)), "")
    raise t3_error(
        msg,
        server_code=body["code"],
        http_status=response.status,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def require(body: Body, *names: str) -> None:
    for name in names:
        if body.get(name) is None:
            raise KamiResponseError("RESPONSE_MISSING_FIELD", f"响应数据缺少必要字段: {name}")


def text(value: Any) -> str:
    """A field as text, the way JavaScript's ``String()`` writes JSON scalars (``''`` when absent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def whole(value: Any) -> int:
    """A count field as an int, truncated (``0`` when not a finite number)."""
    n = number(value)
    return int(n) if math.isfinite(n) else 0


def number(value: Any) -> float:
    """A field as a number (``nan`` when not numeric)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
