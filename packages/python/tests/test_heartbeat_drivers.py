"""The thread and asyncio drivers of the heartbeat, with injected faults (no server): failures of
any kind stay inside the loop, listeners cannot break it, stop() is prompt."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable, List

import httpx
import pytest

import kami_verify
from tests.test_client_unit import APP_KEY, ROUTES
from tests.test_heartbeat_schedule import session


def beat_reply(request: httpx.Request) -> httpx.Response:
    import time

    return httpx.Response(200, json={"code": 200, "msg": "在线", "time": int(time.time())})


def sync_client(handler: Callable[[httpx.Request], httpx.Response]) -> kami_verify.Client:
    return kami_verify.Client(
        "http://hb.test",
        app_key=APP_KEY,
        routes=ROUTES,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


@pytest.fixture
def thread_failures(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """Every exception that escapes a thread (there must be none)."""
    escaped: List[Any] = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    return escaped


def test_thread_loop_survives_bugs_and_throwing_listeners(
    thread_failures: List[Any], caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls % 2:
            raise RuntimeError("a transport bug")  # not even a KamiError
        return beat_reply(request)

    beats = threading.Event()

    def on_beat(*args: Any) -> None:
        beats.set()
        raise ValueError("listener bug")

    errors: List[kami_verify.KamiError] = []
    hb = sync_client(handler).start_heartbeat(
        session(),
        validity_seconds=5,
        interval=0.05,
        initial_backoff=0.01,
        on_error=lambda error, info: errors.append(error),
        on_beat=on_beat,
    )
    assert beats.wait(10)
    end = hb.stop(timeout=10)
    assert end.reason == "stopped" and not hb._thread.is_alive()
    assert errors and errors[0].code == "NETWORK_ERROR" and "transport bug" in str(errors[0])
    assert "listener raised" in caplog.text
    assert thread_failures == []


def test_thread_loop_reports_lost_once(thread_failures: List[Any]) -> None:
    gone = lambda request: httpx.Response(200, json={"code": 201, "msg": "卡密已到期"})  # noqa: E731
    lost: List[Any] = []
    hb = sync_client(gone).start_heartbeat(
        session(),
        validity_seconds=5,
        interval=1,
        immediate=True,
        on_lost=lambda e, i: lost.append((e.code, i.reason)),
    )
    end = hb.wait(timeout=10)
    assert end is not None and end.error is not None and end.error.code == "CARD_EXPIRED"
    assert lost == [("CARD_EXPIRED", "rejected")] and hb.state == "lost"
    assert hb.stop() is end  # stopping a lost loop changes nothing
    assert thread_failures == []


@pytest.mark.anyio
async def test_task_loop_survives_bugs_and_is_cancelled_by_stop() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a transport bug")
        return beat_reply(request)

    client = kami_verify.AsyncClient(
        "http://hb.test",
        app_key=APP_KEY,
        routes=ROUTES,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    beat = asyncio.Event()
    errors: List[str] = []
    hb = client.start_heartbeat(
        session(),
        validity_seconds=5,
        interval=0.05,
        initial_backoff=0.01,
        on_beat=lambda result, info: beat.set(),
        on_error=lambda error, info: errors.append(error.code),
    )
    await asyncio.wait_for(beat.wait(), 10)
    end = await asyncio.wait_for(hb.stop(), 10)
    assert end.reason == "stopped" and errors == ["NETWORK_ERROR"] and hb.beats >= 1
    await client.aclose()
