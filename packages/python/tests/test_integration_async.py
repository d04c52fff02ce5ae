"""The async client against the real reference server: the same operations, driven by asyncio."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, List

import pytest

import kami_verify
from kami_verify import KamiApiError, KamiVerificationError
from tests.conftest import TestServer
from tests.faults import dead_url, silent_host, tampering_proxy

pytestmark = [pytest.mark.integration, pytest.mark.anyio]


async def test_the_t3_family_in_each_encoding(any_server: TestServer) -> None:
    card = any_server.card()
    async with any_server.async_client() as client:
        login = await client.login(card, "DEVICE-1")
        beats = await asyncio.gather(*(client.heartbeat(login.statecode, kami=card) for _ in range(5)))
        assert {b.msg for b in beats} == {"在线"}
        assert (await client.query(card)).end_time == login.end_time
        assert (await client.check_update((await client.version()).version)).latest
        assert (await client.unbind(card, "DEVICE-1")).msg == "解绑成功"
        with pytest.raises(KamiApiError) as raised:
            await client.heartbeat("0" * 32)
        assert raised.value.code == "STATECODE_NOT_FOUND"


async def test_failover_and_tampering(plain_server: TestServer) -> None:
    async with plain_server.async_client([dead_url(), plain_server.url]) as client:
        assert (await client.login(plain_server.card(), "DEV")).statecode

    def tamper(text: str) -> str:
        body = json.loads(text)
        body["token"] = "0" * 32
        return json.dumps(body)

    with tampering_proxy(plain_server.url, tamper) as proxy:
        async with plain_server.async_client(proxy) as client:
            with pytest.raises(KamiVerificationError) as raised:
                await client.login(plain_server.card(), "DEV")
    assert raised.value.code == "TOKEN_MISMATCH"


async def test_cancelling_the_task_cancels_the_request(plain_server: TestServer) -> None:
    with silent_host() as host:
        async with plain_server.async_client(host, timeout=30.0) as client:
            task = asyncio.ensure_future(client.login(plain_server.card(), "DEV"))
            await asyncio.sleep(0.2)
            task.cancel()
            # Without cancellation the request would hang for its 30 s timeout.
            done, _ = await asyncio.wait({task}, timeout=10)
            assert task in done and task.cancelled()


async def test_a_timeout_is_a_typed_error(plain_server: TestServer) -> None:
    with silent_host() as host:
        async with plain_server.async_client(host, timeout=0.3) as client:
            with pytest.raises(kami_verify.KamiTimeoutError) as raised:
                await client.login(plain_server.card(), "DEV")
    assert raised.value.phase == "unknown"


async def test_async_heartbeat_survives_a_restart_and_reports_lost(heartbeat_server: TestServer) -> None:
    server = heartbeat_server
    card = server.card()
    events: List[str] = []
    async with server.async_client(timeout=1.0) as client:
        login = await client.login(card, "DEV")
        hb = client.start_heartbeat(
            login,
            validity_seconds=10,
            interval=1.5,
            relogin=True,
            initial_backoff=0.2,
            on_beat=lambda result, info: events.append("beat"),
            on_error=lambda error, info: events.append("error"),
            on_lost=lambda error, info: events.append(f"lost {error.code} {info.reason}"),
            on_relogin=lambda result: events.append("relogin"),
        )

        async def until(predicate: Any, timeout: float = 20.0) -> None:
            deadline = time.monotonic() + timeout
            while not predicate():
                assert time.monotonic() < deadline, events
                await asyncio.sleep(0.05)

        await until(lambda: hb.beats >= 1)
        await asyncio.to_thread(server.stop)
        await until(lambda: "error" in events)
        await asyncio.to_thread(server.start)
        before = hb.beats
        await until(lambda: hb.beats > before or "relogin" in events)
        assert hb.state == "running"
        await asyncio.to_thread(server.card_action, card, "disable")
        end = await asyncio.wait_for(hb.wait(), 20)
        assert (end.reason, end.lost_reason) == ("lost", "rejected")
        assert events[-1] in ("lost CARD_DISABLED rejected", "lost STATECODE_NOT_FOUND rejected")


async def test_async_heartbeat_stop_cancels_at_once(plain_server: TestServer) -> None:
    async with plain_server.async_client() as client:
        login = await client.login(plain_server.card(), "DEV")
        hb = client.start_heartbeat(login, validity_seconds=600)
        # The first beat is 270–300 s away: stop() must not wait for it.
        end = await asyncio.wait_for(hb.stop(), 10)
        assert end.reason == "stopped" and hb.state == "stopped"
        assert (await hb.stop()) is end
