"""The managed heartbeat's schedule as a plan of steps (no I/O, no threads): the thread loop of
:class:`~kami_verify.Client` and the asyncio task of :class:`~kami_verify.AsyncClient` both drive
this one implementation of the interval, backoff, outage deadline and re-login rules."""

from __future__ import annotations

import logging
import random as _random
import time
from dataclasses import dataclass
from typing import Any, Callable, FrozenSet, Generator, Optional, Union

from ._errors import (
    KamiApiError,
    KamiError,
    KamiRateLimitError,
    KamiValidationError,
    KamiVerificationError,
)
from ._results import HeartbeatResult, LoginResult

logger = logging.getLogger("kami_verify")

#: Server answers after which beating again cannot help: the session or the card is gone, the
#: device or app is refused, or the app is misconfigured (wrong APPKEY → 签名有误).
DEFINITIVE_HEARTBEAT_CODES: FrozenSet[str] = frozenset(
    {
        "STATECODE_NOT_FOUND",
        "STATECODE_REQUIRED",
        "CARD_REQUIRED",
        "CARD_NOT_FOUND",
        "CARD_DISABLED",
        "CARD_EXPIRED",
        "CARD_USES_EXHAUSTED",
        "CARD_LOGIN_FORBIDDEN",
        "CARD_NOT_BOUND",
        "DEVICE_REQUIRED",
        "DEVICE_INVALID",
        "DEVICE_MISMATCH",
        "IP_MISMATCH",
        "PROVINCE_MISMATCH",
        "CITY_MISMATCH",
        "APP_DISABLED",
        "ENDPOINT_DISABLED",
        "ENDPOINT_NOT_FOUND",
        "SIGNATURE_REQUIRED",
        "SIGNATURE_INVALID",
        "TIMESTAMP_REQUIRED",
    }
)


def is_definitive_heartbeat_error(error: KamiError) -> bool:
    """Whether a failed beat ends the session: the codes above, and every failed check of a reply
    or of our own arguments. Network errors, timeouts, 5xx, 429, garbled replies, 验证数据已失效
    and unknown texts are transient: retried until the statecode's validity runs out."""
    if isinstance(error, KamiApiError):
        if error.http_status >= 500 or error.http_status in (408, 429):
            return False
        return error.code in DEFINITIVE_HEARTBEAT_CODES
    return isinstance(error, (KamiVerificationError, KamiValidationError))


def backoff_delay(
    attempt: int, error: KamiError, *, initial: float, maximum: float, random: Callable[[], float]
) -> float:
    """Delay before retry ``attempt`` (1-based): exponential with equal jitter (half fixed, half
    random) so clients that lost the server together do not come back in step; a 429's
    ``Retry-After`` wins when it asks for longer."""
    cap = min(maximum, initial * 2.0 ** max(0, attempt - 1))
    delay = cap / 2 + random() * cap / 2
    if isinstance(error, KamiRateLimitError) and error.retry_after:
        delay = max(delay, error.retry_after)
    return delay


@dataclass(frozen=True)
class BeatInfo:
    #: Successful beats so far, this one included.
    count: int
    #: The statecode that was renewed.
    statecode: str
    #: Seconds until the next beat.
    next_in: float


@dataclass(frozen=True)
class TransientErrorInfo:
    #: Consecutive failures so far.
    attempt: int
    #: Seconds until the loop tries again.
    retry_in: float
    #: Seconds left before the server drops the session and the loop reports ``lost``.
    lost_in: float


@dataclass(frozen=True)
class LostInfo:
    #: ``"rejected"``: the server (or a failed reply check) refused the session;
    #: ``"outage"``: no answer for the whole validity.
    reason: str


@dataclass(frozen=True)
class HeartbeatEnd:
    #: ``"stopped"`` or ``"lost"``.
    reason: str
    beats: int
    error: Optional[KamiError] = None
    lost_reason: Optional[str] = None


@dataclass(frozen=True)
class Wait:
    seconds: float


@dataclass(frozen=True)
class Beat:
    statecode: str
    kami: Optional[str]
    #: ``time.monotonic()`` moment when the server drops the session: the call must not outlive it.
    deadline: float


@dataclass(frozen=True)
class Relogin:
    deadline: float


Action = Union[Wait, Beat, Relogin]
Outcome = Union[HeartbeatResult, LoginResult, KamiError, None]

BeatListener = Callable[[HeartbeatResult, BeatInfo], Any]
ErrorListener = Callable[[KamiError, TransientErrorInfo], Any]
LostListener = Callable[[KamiError, LostInfo], Any]
ReloginListener = Callable[[LoginResult], Any]


def as_kami_error(value: BaseException) -> KamiError:
    """Client bugs or foreign transports may raise other exceptions: treated as transient."""
    if isinstance(value, KamiError):
        return value
    error = KamiError("NETWORK_ERROR", f"heartbeat failed: {value!r}")
    error.__cause__ = value
    return error


class HeartbeatSchedule:
    """The loop's state and rules. Drivers call :meth:`run` and perform what it yields."""

    def __init__(
        self,
        session: Union[LoginResult, str],
        *,
        validity_seconds: Optional[float] = None,
        interval: Optional[float] = None,
        relogin: bool = False,
        send_kami: bool = True,
        immediate: bool = False,
        initial_backoff: float = 1.0,
        max_backoff: Optional[float] = None,
        is_definitive: Callable[[KamiError], bool] = is_definitive_heartbeat_error,
        on_beat: Optional[BeatListener] = None,
        on_error: Optional[ErrorListener] = None,
        on_lost: Optional[LostListener] = None,
        on_relogin: Optional[ReloginListener] = None,
        random: Callable[[], float] = _random.random,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        statecode = session.statecode if isinstance(session, LoginResult) else session
        if not isinstance(statecode, str) or not statecode:
            raise KamiValidationError("statecode", "a session with a statecode is required")
        for name, value in (("validity_seconds", validity_seconds), ("interval", interval)):
            if value is not None and not (isinstance(value, (int, float)) and 0 < value < float("inf")):
                raise KamiValidationError(name, "validity_seconds and interval must be positive numbers")
        #: Seconds between beats: half the statecode validity by default, or 30.
        self.interval = float(
            interval if interval is not None else (validity_seconds / 2 if validity_seconds else 30.0)
        )
        #: Seconds the server keeps a statecode after the last contact.
        self.validity = float(validity_seconds if validity_seconds is not None else self.interval * 2)
        if self.interval >= self.validity:
            raise KamiValidationError(
                "interval",
                f"interval ({self.interval} s) must be below the statecode validity ({self.validity} s)",
            )
        if relogin and not (isinstance(session, LoginResult) and session.kami and session.imei):
            raise KamiValidationError(
                "relogin", "relogin needs the LoginResult of the session (its kami and imei)"
            )
        self.session = session if isinstance(session, LoginResult) else None
        self.statecode = statecode
        self.beats = 0
        #: ``time.time()`` of the last successful beat (or relogin).
        self.last_beat_at: Optional[float] = None
        self.state = "running"
        self.end: Optional[HeartbeatEnd] = None
        self._relogin = relogin
        self._kami = self.session.kami if (self.session and send_kami) else None
        self._immediate = immediate
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff if max_backoff is not None else min(self.interval, self.validity / 4)
        self._is_definitive = is_definitive
        self._on_beat, self._on_error, self._on_lost, self._on_relogin = (
            on_beat,
            on_error,
            on_lost,
            on_relogin,
        )
        self._random = random
        self._monotonic = monotonic

    # The drivers' side ------------------------------------------------------------------------

    def request_stop(self) -> HeartbeatEnd:
        """Ends the loop as ``stopped`` (idempotent; a loop already lost stays lost)."""
        return self._finish("stopped")

    def fail(self, bug: BaseException) -> None:
        """A driver bug: end as lost rather than die silently."""
        logger.error("kami_verify heartbeat loop failed", exc_info=bug)
        self._finish("lost", as_kami_error(bug), "rejected")

    # The plan ---------------------------------------------------------------------------------

    def run(self) -> Generator[Action, Outcome, None]:
        now = self._monotonic

        # Up to 10 % early, never late, so a fleet spreads out.
        def next_interval() -> float:
            return self.interval * (1 - 0.1 * self._random())

        # Start of the window in which the server keeps the session: the last contact (the login,
        # then each success).
        window_start = now()
        attempt = 0
        last_error: Optional[KamiError] = None
        relogin_due = False
        relogged = False
        delay = 0.0 if self._immediate else next_interval()
        while True:
            if delay > 0:
                yield Wait(delay)
            if self.state != "running":
                return
            started = now()
            if started >= window_start + self.validity:
                if last_error is not None:
                    self._finish("lost", last_error, "outage")
                    return
                # Late without a failed attempt: the machine slept. Only the server knows whether the
                # session survived, so give the network one validity from now and ask.
                window_start = started
            deadline = window_start + self.validity
            outcome = yield (Relogin(deadline) if relogin_due else Beat(self.statecode, self._kami, deadline))
            if self.state != "running":
                return
            if not isinstance(outcome, KamiError):
                # The server renewed (or created) the session when the request arrived, after `started`.
                window_start = started
                self.last_beat_at = time.time()
                attempt, last_error = 0, None
                delay = next_interval()
                relogged = relogin_due
                if relogin_due:
                    relogin_due = False
                    assert isinstance(outcome, LoginResult)
                    self.statecode = outcome.statecode
                    self._emit(self._on_relogin, outcome)
                else:
                    assert isinstance(outcome, HeartbeatResult)
                    self.beats += 1
                    self._emit(self._on_beat, outcome, BeatInfo(self.beats, self.statecode, delay))
                continue
            lost_in = deadline - now()
            if lost_in <= 0:
                # Cut off by the deadline: the server has dropped the session by now.
                self._finish(
                    "lost",
                    last_error
                    or KamiError(
                        "TIMEOUT",
                        f"no answer from the server for {self.validity:g} s: the session has expired",
                    ),
                    "outage",
                )
                return
            if self._is_definitive(outcome):
                # 状态码不存在: the server dropped the session; the card may still be good. Offered once,
                # not for a failed login nor right after one.
                if (
                    self._relogin
                    and not relogin_due
                    and not relogged
                    and outcome.code == "STATECODE_NOT_FOUND"
                ):
                    relogin_due, delay = True, 0.0
                    continue
                self._finish("lost", outcome, "rejected")
                return
            attempt += 1
            last_error = outcome
            # Never past the deadline: the next attempt then finds the window closed (`outage`).
            delay = min(
                backoff_delay(
                    attempt,
                    outcome,
                    initial=self._initial_backoff,
                    maximum=self._max_backoff,
                    random=self._random,
                ),
                lost_in,
            )
            self._emit(self._on_error, outcome, TransientErrorInfo(attempt, delay, lost_in))

    def _finish(
        self, reason: str, error: Optional[KamiError] = None, lost_reason: Optional[str] = None
    ) -> HeartbeatEnd:
        if self.end is not None:
            return self.end
        self.state = "lost" if reason == "lost" else "stopped"
        self.end = HeartbeatEnd(reason=reason, beats=self.beats, error=error, lost_reason=lost_reason)
        if error is not None and lost_reason is not None:
            self._emit(self._on_lost, error, LostInfo(lost_reason))
        return self.end

    @staticmethod
    def _emit(listener: Optional[Callable[..., Any]], *args: Any) -> None:
        # A listener's exception must never kill the loop or escape into a background thread.
        if listener is None:
            return
        try:
            listener(*args)
        except Exception:
            logger.exception("a kami_verify heartbeat listener raised")
