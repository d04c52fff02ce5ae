"""Host failover as a plan of steps (no I/O): the sync and async clients each drive it with their
own transport and sleep, so the rules exist once.

The rules are the TypeScript client's: next host on no answer, 408 or 5xx/429; a call that is not
idempotent (login, unbind, card creation) is only resent when it provably never reached a server
(a connect-phase failure, or a 408); idempotent calls get ``max_retries`` more rounds over all
hosts, with jittered exponential backoff or the server's ``Retry-After``. The host that answered
becomes preferred.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, Generator, List, Optional, Sequence, Union

from ._errors import KamiConnectionError, KamiTimeoutError, KamiValidationError
from ._wire import Call, HttpRequest, HttpResponse, parse_retry_after

# Longest Retry-After the client waits for by itself; beyond it the reply is returned.
_MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class Sleep:
    seconds: float


Step = Union[HttpRequest, Sleep]
Outcome = Union[HttpResponse, KamiConnectionError, None]
Plan = Generator[Step, Outcome, HttpResponse]


def validate_base_urls(base_url: Union[str, Sequence[str]]) -> List[str]:
    urls = [base_url] if isinstance(base_url, str) else list(base_url)
    if not urls:
        raise KamiValidationError("base_url", "base_url must be a URL or a non-empty list of URLs")
    out = []
    for url in urls:
        if (
            not isinstance(url, str)
            or not url.lower().startswith(("http://", "https://"))
            or any(ch.isspace() for ch in url)
        ):
            raise KamiValidationError("base_url", f"base_url {url!r} is not an http(s) URL")
        out.append(url.rstrip("/"))
    return out


class HostRotation:
    """The hosts of one API family and which of them answered last."""

    def __init__(self, hosts: Sequence[str]) -> None:
        self.hosts = tuple(hosts)
        self.preferred = 0

    def plan(
        self,
        call: Call,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        random_: Callable[[], float] = random.random,
    ) -> Plan:
        """Yields requests (send and pass back the response or the ``KamiConnectionError``) and
        sleeps (pass back ``None``); returns the response to use, or raises the last error."""
        last: Union[HttpResponse, KamiConnectionError, None] = None
        rounds = call.max_retries + 1 if call.idempotent else 1
        for round_ in range(rounds):
            if round_ > 0:
                pause = _backoff(round_, last, random_)
                if call.deadline is not None:
                    pause = min(pause, max(0.0, call.deadline - monotonic()))
                yield Sleep(pause)
            for i in range(len(self.hosts)):
                index = (self.preferred + i) % len(self.hosts)
                timeout = call.timeout
                if call.deadline is not None:
                    timeout = min(timeout, call.deadline - monotonic())
                    if timeout <= 0:
                        raise _out_of_time(last)
                outcome = yield HttpRequest(
                    "POST", self.hosts[index] + call.path, call.headers(), call.content, timeout
                )
                if isinstance(outcome, HttpResponse):
                    if _should_fail_over(outcome.status, call.idempotent):
                        last = outcome
                        continue
                    self.preferred = index
                    return outcome
                assert isinstance(outcome, KamiConnectionError)
                last = outcome
                if not call.idempotent and outcome.phase != "connect":
                    raise outcome
        if isinstance(last, HttpResponse):
            return last
        assert last is not None
        raise last


def _out_of_time(last: Optional[Union[HttpResponse, KamiConnectionError]]) -> KamiConnectionError:
    if isinstance(last, KamiConnectionError):
        return last
    return KamiTimeoutError("请求超时: the call's deadline passed")


def _should_fail_over(status: int, idempotent: bool) -> bool:
    if status == 408:
        return True
    return idempotent and (status >= 500 or status == 429)


def _backoff(round_: int, last: Outcome, random_: Callable[[], float]) -> float:
    """Exponential backoff with equal jitter; a server's Retry-After wins when it is under a minute."""
    if isinstance(last, HttpResponse):
        retry_after = parse_retry_after(last.headers.get("retry-after"))
        if retry_after is not None and retry_after <= _MAX_RETRY_AFTER:
            return retry_after
    cap = min(8.0, 0.5 * 2.0 ** (round_ - 1))
    return cap / 2 + random_() * cap / 2
