"""Login reply checks: clock skew, token (both formulas, from the reply's own ``date``),
statecode and the ``safe_code`` echo."""

from __future__ import annotations

import hmac
import math
from typing import Optional, Union

from ._errors import KamiVerificationError
from ._signing import md5_hex

Scalar = Union[str, int, float]


def compute_login_token(
    *, id: Scalar, app_key: str, end_time: str, date: str, sign_text: Optional[str] = None
) -> str:
    """``md5(id + APPKEY + end_time + date)``; the two-way variant puts the request's sign text
    (APPKEY included) between: ``md5(id + APPKEY + signText + end_time + date)``."""
    return md5_hex(f"{_text(id)}{app_key}{sign_text or ''}{end_time}{date}")


def compute_statecode(token: str, time: Scalar) -> str:
    """``statecode = md5(token + time)``, ``time`` being the reply's unix seconds."""
    return md5_hex(f"{token}{_text(time)}")


def _text(value: Scalar) -> str:
    # JSON numbers arrive as int (or float for 1.0): write them the way JavaScript's String() does.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def check_clock_skew(time: object, now_seconds: float, max_skew_seconds: float) -> None:
    """Raises ``CLOCK_SKEW`` (时间戳校验失败) when the reply's ``time`` is too far from the local clock."""
    try:
        t = float(time)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        t = math.nan
    if isinstance(time, bool) or not math.isfinite(t) or abs(t - now_seconds) > max_skew_seconds:
        raise KamiVerificationError(
            "CLOCK_SKEW",
            f"时间戳校验失败: reply time {time!r} is more than {max_skew_seconds}s "
            f"from local {int(now_seconds)}",
        )


def verify_login_token(
    *,
    id: Scalar,
    end_time: str,
    token: str,
    statecode: str,
    time: Scalar,
    date: str,
    app_key: str,
    sign_text: Optional[str],
    variant: str = "auto",
) -> None:
    """Accepts the basic formula (``variant`` ``auto``/``basic``) or the two-way one
    (``auto``/``signed``); then checks the statecode. Comparisons are constant-time."""
    got = str(token).lower()
    basic = dict(id=id, app_key=app_key, end_time=end_time, date=date)
    matches = (variant != "signed" and _same(compute_login_token(**basic), got)) or (  # type: ignore[arg-type]
        variant != "basic"
        and sign_text is not None
        and _same(compute_login_token(**basic, sign_text=sign_text), got)  # type: ignore[arg-type]
    )
    if not matches:
        raise KamiVerificationError(
            "TOKEN_MISMATCH", "token校验失败: the reply was not produced with this APPKEY"
        )
    if not _same(compute_statecode(got, time), str(statecode).lower()):
        raise KamiVerificationError("STATECODE_MISMATCH", "statecode does not match md5(token + time)")


def check_safe_code(sent: str, echoed: Optional[str]) -> None:
    if echoed is None or not _same(sent, echoed):
        raise KamiVerificationError("SAFE_CODE_MISMATCH", "safe_code was not echoed unchanged")
