"""Server messages → machine codes, loaded from ``messages.json``.

``messages.json`` is a verbatim copy of ``spec/vectors/messages.json`` (the test suite fails when
they differ; ``scripts/sync_messages.py`` copies it). The Chinese texts are the wire contract.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Dict, Mapping, Optional, Tuple

from ._errors import KamiApiError, KamiRateLimitError, ServerCode


def _load() -> Mapping[str, Any]:
    text = resources.files(__package__).joinpath("messages.json").read_text(encoding="utf-8")
    table: Mapping[str, Any] = json.loads(text)
    return table


TABLE = _load()


def _by_text(rows: Any) -> Dict[str, str]:
    return {row["message"]: row["errorCode"] for row in rows}


_T3_BY_TEXT = _by_text([*TABLE["t3"]["seed"], *TABLE["t3"]["other"]])
_POTATO_BY_TEXT = _by_text(TABLE["potato"])
_POTATO_FALLBACK = {str(row["serverCode"]): row["errorCode"] for row in TABLE["potatoEnvelopeFallback"]}
_UNKNOWN = str(TABLE["unknownMessage"]["errorCode"])


def _text_of(rows: Any, code: str) -> str:
    for row in rows:
        if row["code"] == code:
            return str(row["message"])
    raise KeyError(code)  # pragma: no cover - a broken table fails at import, in every test


#: Texts the client itself needs to recognise.
USER_TOKEN_INVALID_TEXT = _text_of(TABLE["potato"], "USER_TOKEN_INVALID")
HEARTBEAT_ONLINE_TEXT = _text_of(TABLE["t3"]["success"], "HEARTBEAT_ONLINE")
ALREADY_LATEST_TEXT = _text_of(TABLE["t3"]["success"], "ALREADY_LATEST")


def t3_code_for_message(message: str) -> Optional[str]:
    """Machine code of a T3 error text, or ``None`` when the text is not one we know."""
    return _T3_BY_TEXT.get(message.strip())


def potato_code_for_message(message: str) -> Optional[str]:
    return _POTATO_BY_TEXT.get(message.strip())


def _api_error(
    code: Optional[str],
    message: str,
    server_code: ServerCode,
    http_status: int,
    retry_after: Optional[float],
) -> KamiApiError:
    if code == "RATE_LIMITED" or http_status == 429:
        return KamiRateLimitError(
            message, server_code=server_code, http_status=http_status, retry_after=retry_after
        )
    return KamiApiError(code or _UNKNOWN, message, server_code=server_code, http_status=http_status)


def t3_error(
    message: str, *, server_code: ServerCode, http_status: int, retry_after: Optional[float] = None
) -> KamiApiError:
    """The typed error of a T3-family error body (``{code, msg}``)."""
    return _api_error(t3_code_for_message(message), message, server_code, http_status, retry_after)


def potato_error(
    message: str, *, server_code: ServerCode, http_status: int, retry_after: Optional[float] = None
) -> KamiApiError:
    """The typed error of a potatocloud envelope whose ``code`` is not 200."""
    known = potato_code_for_message(message)
    if known is None:
        known = _POTATO_FALLBACK.get(_code_text(server_code), _UNKNOWN)
    return _api_error(known, message, server_code, http_status, retry_after)


def _code_text(code: ServerCode) -> str:
    # 403 and "403" (and 403.0) are the same envelope code.
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return "" if code is None else str(code).strip()


def all_texts() -> Tuple[str, ...]:
    """Every known error text (both families); for tests and tools."""
    return (*_T3_BY_TEXT, *_POTATO_BY_TEXT)
