"""The heartbeat schedule on a fake clock: interval, backoff, outage deadline, relogin, events."""

from __future__ import annotations

from typing import Any, Callable, Generator, Iterator, List, Optional, Tuple, Union

import pytest

from kami_verify import (
    HeartbeatResult,
    KamiApiError,
    KamiConnectionError,
    KamiError,
    KamiRateLimitError,
    KamiValidationError,
    KamiVerificationError,
    LoginResult,
    is_definitive_heartbeat_error,
)
from kami_verify._heartbeat_policy import Action, Beat, HeartbeatSchedule, Relogin, Wait, backoff_delay

Outcome = Union[HeartbeatResult, LoginResult, KamiError]


def session(statecode: str = "S1") -> LoginResult:
    return LoginResult(
        id=1,
        end_time="",
        amount="",
        available=0,
        token="",
        statecode=statecode,
        safe_code=None,
        time=0,
        date="",
        imei="DEV",
        change=0,
        core="",
        kami="CARD",
        sign_text="",
    )


BEAT = HeartbeatResult(msg="在线", time=0, date="")
GONE = KamiApiError("STATECODE_NOT_FOUND", "状态码不存在", server_code="201", http_status=200)
DOWN = KamiConnectionError("refused", phase="connect")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(
    schedule: HeartbeatSchedule, clock: Clock, answer: Callable[[Action], Outcome], max_steps: int = 200
) -> List[Tuple[str, Any]]:
    """Drives the plan: waits move the fake clock, calls are answered by ``answer``."""
    trace: List[Tuple[str, Any]] = []
    plan: Generator[Action, Any, None] = schedule.run()
    outcome: Optional[Outcome] = None
    try:
        action = next(plan)
        for _ in range(max_steps):
            if isinstance(action, Wait):
                trace.append(("wait", round(action.seconds, 3)))
                clock.now += action.seconds
                outcome = None
            else:
                trace.append((type(action).__name__.lower(), action))
                outcome = answer(action)
            action = plan.send(outcome)
    except StopIteration:
        pass
    return trace


def make(clock: Clock, **options: Any) -> Tuple[HeartbeatSchedule, List[Tuple[str, Any]]]:
    events: List[Tuple[str, Any]] = []
    schedule = HeartbeatSchedule(
        options.pop("session", session()),
        monotonic=clock,
        random=lambda: 0.5,
        on_beat=lambda result, info: events.append(("beat", info)),
        on_error=lambda error, info: events.append(("error", info)),
        on_lost=lambda error, info: events.append(("lost", (error.code, info.reason))),
        on_relogin=lambda login: events.append(("relogin", login.statecode)),
        **options,
    )
    return schedule, events


def test_beats_at_half_the_validity_a_little_early_and_sends_the_card() -> None:
    clock = Clock()
    schedule, events = make(clock, validity_seconds=60)
    beats = 0

    def answer(action: Action) -> Outcome:
        nonlocal beats
        beats += 1
        if beats == 3:
            schedule.request_stop()
        assert isinstance(action, Beat) and action.statecode == "S1" and action.kami == "CARD"
        return BEAT

    trace = run(schedule, clock, answer)
    assert schedule.interval == 30 and schedule.validity == 60
    assert [t for t in trace if t[0] == "wait"] == [("wait", 28.5)] * 3  # 30 s less 10 % × 0.5 jitter
    assert [e[1].count for e in events if e[0] == "beat"] == [1, 2]
    assert schedule.end is not None and schedule.end.reason == "stopped" and schedule.beats == 2


def test_transient_failures_back_off_then_recover() -> None:
    clock = Clock()
    schedule, events = make(clock, validity_seconds=60, immediate=True)
    answers: Iterator[Outcome] = iter([DOWN, DOWN, BEAT])

    def answer(action: Action) -> Outcome:
        outcome = next(answers, None)
        if outcome is None:
            schedule.request_stop()
            return BEAT
        return outcome

    trace = run(schedule, clock, answer)
    waits = [t[1] for t in trace if t[0] == "wait"]
    assert waits[:2] == [0.75, 1.5]  # equal jitter: 1 s then 2 s caps, half fixed half random
    errors = [e[1] for e in events if e[0] == "error"]
    assert [e.attempt for e in errors] == [1, 2]
    assert ("beat", events[-1][1]) == events[-1] and events[-1][1].count == 1


def test_an_outage_for_the_whole_validity_is_lost() -> None:
    clock = Clock()
    schedule, events = make(clock, validity_seconds=10, interval=4)
    trace = run(schedule, clock, lambda action: DOWN)
    assert schedule.state == "lost" and schedule.end is not None
    assert (schedule.end.reason, schedule.end.lost_reason, schedule.end.error) == ("lost", "outage", DOWN)
    assert events[-1] == ("lost", ("NETWORK_ERROR", "outage"))
    # Never waits past the deadline: the beats stop within the validity after the last contact.
    assert clock.now - 1000.0 <= 10 + 1e-9
    assert sum(1 for t in trace if t[0] == "beat") >= 3


@pytest.mark.parametrize(
    "error",
    [
        GONE,
        KamiApiError("CARD_DISABLED", "卡密被禁用", http_status=200),
        KamiVerificationError("CLOCK_SKEW", "skew"),
    ],
)
def test_a_definitive_refusal_is_lost_at_once(error: KamiError) -> None:
    clock = Clock()
    schedule, events = make(clock, validity_seconds=60, immediate=True)
    run(schedule, clock, lambda action: error)
    assert schedule.end is not None and (schedule.end.lost_reason, schedule.end.error) == ("rejected", error)
    assert events == [("lost", (error.code, "rejected"))]


def test_relogin_after_statecode_not_found_then_beats_with_the_new_statecode() -> None:
    clock = Clock()
    schedule, events = make(clock, validity_seconds=60, immediate=True, relogin=True)
    seen: List[str] = []

    def answer(action: Action) -> Outcome:
        if isinstance(action, Relogin):
            seen.append("login")
            return session("S2")
        assert isinstance(action, Beat)
        seen.append(action.statecode)
        if action.statecode == "S1":
            return GONE
        schedule.request_stop()
        return BEAT

    run(schedule, clock, answer)
    assert seen == ["S1", "login", "S2"]
    assert ("relogin", "S2") in events and schedule.statecode == "S2"


def test_relogin_is_offered_once_a_refusal_right_after_it_is_lost() -> None:
    clock = Clock()
    schedule, events = make(clock, validity_seconds=60, immediate=True, relogin=True)
    answers: Iterator[Outcome] = iter([GONE, session("S2")])
    run(schedule, clock, lambda action: next(answers, GONE))
    assert schedule.end is not None and schedule.end.lost_reason == "rejected"
    assert [e[0] for e in events] == ["relogin", "lost"]
    expired = KamiApiError("CARD_EXPIRED", "卡密已到期", http_status=200)
    clock = Clock()
    schedule, _ = make(clock, validity_seconds=60, immediate=True, relogin=True)
    second: Iterator[Outcome] = iter([GONE, expired])
    run(schedule, clock, lambda action: next(second))
    assert schedule.end is not None and schedule.end.error is expired


def test_a_throwing_listener_does_not_stop_the_loop(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    count = 0

    def bad_listener(result: Any, info: Any) -> None:
        raise RuntimeError("listener bug")

    def answer(action: Action) -> Outcome:
        nonlocal count
        count += 1
        if count == 3:
            schedule.request_stop()
        return BEAT

    schedule = HeartbeatSchedule(session(), validity_seconds=60, monotonic=clock, on_beat=bad_listener)
    run(schedule, clock, answer)
    assert schedule.beats == 2 and "listener raised" in caplog.text


def test_rate_limit_backoff_honours_retry_after() -> None:
    limited = KamiRateLimitError("请求过于频繁,请稍后再试", http_status=429, retry_after=9.0)
    assert backoff_delay(1, limited, initial=1, maximum=30, random=lambda: 0) == 9.0
    assert backoff_delay(10, DOWN, initial=1, maximum=30, random=lambda: 1) == 30


def test_classification() -> None:
    assert is_definitive_heartbeat_error(GONE)
    assert not is_definitive_heartbeat_error(DOWN)
    assert not is_definitive_heartbeat_error(
        KamiApiError("TIMESTAMP_INVALID", "验证数据已失效,请重试", http_status=200)
    )
    assert not is_definitive_heartbeat_error(KamiApiError("CARD_DISABLED", "卡密被禁用", http_status=503))


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"validity_seconds": 10, "interval": 10}, "interval"),
        ({"validity_seconds": -1}, "validity_seconds"),
        ({"session": ""}, "statecode"),
        ({"session": "S1", "relogin": True}, "relogin"),
    ],
)
def test_bad_heartbeat_options(options: Any, field: str) -> None:
    with pytest.raises(KamiValidationError) as raised:
        HeartbeatSchedule(options.pop("session", session()), **options)
    assert raised.value.field == field
