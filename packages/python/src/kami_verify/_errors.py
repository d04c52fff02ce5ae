"""One exception hierarchy for every failure, with the stable machine codes of the TypeScript SDK."""

from __future__ import annotations

from typing import Optional, Union

__all__ = [
    "KamiApiError",
    "KamiConnectionError",
    "KamiError",
    "KamiRateLimitError",
    "KamiResponseError",
    "KamiTimeoutError",
    "KamiValidationError",
    "KamiVerificationError",
]

ServerCode = Union[str, int, float, None]

# Bodies may be large; an error keeps an excerpt only (they never hold our secrets).
_BODY_EXCERPT = 512


class KamiError(Exception):
    """Base class of every Kami Verify error. ``code`` is a stable machine code."""

    code: str
    #: Whether the same call may succeed if simply tried again later.
    retryable: bool = False

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class KamiApiError(KamiError):
    """The server answered with an error. ``server_message`` is its original text (``卡密已到期``)."""

    def __init__(
        self,
        code: str,
        server_message: str,
        *,
        server_code: ServerCode = None,
        http_status: int,
    ) -> None:
        super().__init__(code, server_message or code)
        self.server_message = server_message
        #: The ``code`` field of the body as sent (``"201"``, ``403``...), if there was one.
        self.server_code = server_code
        self.http_status = http_status
        # A 5xx or an unknown text may go away; a documented refusal will not.
        self.retryable = http_status >= 500 or code in ("TIMESTAMP_INVALID", "SERVER_ERROR")


class KamiRateLimitError(KamiApiError):
    """Throttled (请求过于频繁 or HTTP 429). ``retry_after`` (seconds) comes from ``Retry-After``."""

    retryable = True

    def __init__(
        self,
        server_message: str,
        *,
        server_code: ServerCode = None,
        http_status: int,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__("RATE_LIMITED", server_message, server_code=server_code, http_status=http_status)
        self.retry_after = retry_after
        self.retryable = True


class KamiConnectionError(KamiError):
    """No usable answer arrived.

    ``phase == "connect"`` means the request provably never reached a server (refused, DNS,
    connect timeout), so even a login may be resent to another host; ``"unknown"`` means it may
    have arrived.
    """

    retryable = True

    def __init__(self, message: str, *, phase: str = "unknown", code: str = "NETWORK_ERROR") -> None:
        super().__init__(code, message)
        self.phase = phase


class KamiTimeoutError(KamiConnectionError):
    """The attempt timed out (code ``TIMEOUT``)."""

    def __init__(self, message: str, *, phase: str = "unknown") -> None:
        super().__init__(message, phase=phase, code="TIMEOUT")


class KamiResponseError(KamiError):
    """An answer arrived but is unusable: bad HTTP status, undecodable, not JSON, fields missing."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        http_status: Optional[int] = None,
        body: Optional[str] = None,
    ) -> None:
        super().__init__(code, message)
        self.http_status = http_status
        self.body = None if body is None else body[:_BODY_EXCERPT]
        self.retryable = code == "HTTP_ERROR" and http_status is not None and http_status >= 500


class KamiVerificationError(KamiError):
    """The answer decoded fine but failed a client-side check (token, statecode, clock, safe_code)."""


class KamiValidationError(KamiError, ValueError):
    """The caller passed something the protocol cannot carry; raised before any I/O."""

    def __init__(self, field: str, message: str, code: str = "INVALID_ARGUMENT") -> None:
        super().__init__(code, message)
        self.field = field
