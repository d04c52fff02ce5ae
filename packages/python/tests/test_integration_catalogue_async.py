"""The async client's calls beyond the session ones against the real reference server, in rsa
mode: every method awaited once to success and to a documented error, and the recharge race."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Awaitable, Callable

import pytest

from kami_verify import AsyncClient, KamiApiError, parse_date_time
from tests.conftest import CLOUD_DOC, TestServer

pytestmark = [pytest.mark.integration, pytest.mark.anyio]

DAY = 86_400


async def code_of(call: Callable[[], Awaitable[object]]) -> str:
    with pytest.raises(KamiApiError) as raised:
        await call()
    return raised.value.code


async def end_of(client: AsyncClient, card: str) -> int:
    end = parse_date_time((await client.query(card)).end_time or "")
    assert end is not None
    return end


async def test_card_and_app_calls(catalogue_rsa_server: TestServer) -> None:
    server = catalogue_rsa_server
    async with server.async_client() as client:
        target, source, card = server.card(type=0), server.card(type=0), server.card(core="ab")
        assert await code_of(lambda: client.kami_recharge(target, source)) == "TARGET_CARD_NOT_ACTIVATED"
        await client.login(target, "A-1")
        before = await end_of(client, target)
        assert (await client.kami_recharge(target, source)).msg == "充值成功"
        assert await end_of(client, target) - before == DAY
        assert await code_of(lambda: client.kami_recharge(target, source)) == "SOURCE_CARD_USED"

        online = (await client.online_kami()).count
        session = await client.login(card, "A-2")
        assert (await client.online_kami()).count == online + 1
        assert (await client.ip_unbind(card)).msg == "IP解绑成功"
        assert await code_of(lambda: client.ip_unbind(card)) == "IP_NOT_BOUND"
        assert (await client.get_kami_core(card)).core == "ab"
        assert (await client.modify_core(card, "核心")).msg == "修改成功"
        assert (await client.get_kami_core(card)).core == "核心"
        assert await code_of(lambda: client.modify_core(card, "x" * 17)) == "DATA_TOO_LONG"
        assert (await client.heartbeat_any(session.statecode)).msg == "在线"
        assert (await client.disable(card)).msg == "禁用成功"
        assert await code_of(lambda: client.heartbeat_any(session.statecode)) == "STATECODE_NOT_FOUND"
        assert await code_of(lambda: client.get_kami_core(card)) == "CARD_DISABLED"
        assert await code_of(lambda: client.disable(card)) == "CARD_DISABLED"
        assert (await client.online_kami()).count == online

        assert (await client.app_sign("SIG-1")).autograph == "SIG-1"
        doc_session = await client.login(server.card(), "A-3")
        assert (await client.cloud_doc(doc_session.token)).content == CLOUD_DOC
        assert await code_of(lambda: client.cloud_doc("0" * 32)) == "TOKEN_INVALID"
        assert await code_of(lambda: client.app_sign("nope")) == "APP_SIGN_MISMATCH"
        other = server.card()
        value = uuid.uuid4().hex[:8]
        assert (await client.modify_variable(other, "v", value)).msg == "修改成功"
        assert (await client.get_variable(other, valuename="变量")).value == value
        assert await code_of(lambda: client.get_variable(other, "missing")) == "VARIABLE_NOT_FOUND"
        assert await code_of(lambda: client.modify_variable(other, "ro", "x")) == "VARIABLE_READ_ONLY"
    async with server.async_client(app_key="0" * 32) as wrong_key:
        assert await code_of(wrong_key.online_kami) == "SIGNATURE_INVALID"
        assert await code_of(wrong_key.online_user) == "SIGNATURE_INVALID"


async def test_account_calls(catalogue_rsa_server: TestServer) -> None:
    server = catalogue_rsa_server
    user = f"py_{uuid.uuid4().hex[:12]}"
    async with server.async_client() as client:
        assert (await client.register(user, "secret-1")).msg == "注册成功"
        assert await code_of(lambda: client.register(user, "secret-1")) == "USER_EXISTS"
        assert await code_of(lambda: client.user_login(user, "secret-1", "D")) == "USER_NOT_RECHARGED"
        card = server.card(uses=5)
        assert (await client.recharge(user, card)).msg == "充值成功"
        assert await code_of(lambda: client.recharge(user, card)) == "CARD_ALREADY_USED"
        online = (await client.online_user()).count
        login = await client.user_login(user, "secret-1", "D")
        assert re.fullmatch(r"[0-9a-f]{32}", login.statecode) and login.user == user
        assert (await client.online_user()).count == online + 1
        assert (await client.user_heartbeat(user, "secret-1", login.statecode)).msg == "在线"
        assert (await client.get_user_core(user, "secret-1")).core == ""
        assert await code_of(lambda: client.get_user_core(user, "bad-pass")) == "USER_LOGIN_FAILED"
        assert (
            await code_of(lambda: client.change_password(user, "bad-pass", "secret-2")) == "USER_LOGIN_FAILED"
        )
        assert (await client.change_password(user, "secret-1", "secret-2")).msg == "密码修改成功"
        assert (
            await code_of(lambda: client.user_heartbeat(user, "secret-2", login.statecode))
            == "STATECODE_NOT_FOUND"
        )
        assert await code_of(lambda: client.user_cancel(user, "secret-1")) == "USER_LOGIN_FAILED"
        assert (await client.user_cancel(user, "secret-2")).msg == "注销成功"
        assert await code_of(lambda: client.user_login(user, "secret-2", "D")) == "USER_LOGIN_FAILED"


async def test_parallel_kami_recharges_of_one_source_exactly_one_succeeds(
    catalogue_rsa_server: TestServer,
) -> None:
    server = catalogue_rsa_server
    async with server.async_client() as client:
        targets = [server.card(type=0) for _ in range(6)]
        await asyncio.gather(*(client.login(t, f"R-{i}") for i, t in enumerate(targets)))
        source = server.card(type=1)
        outcomes = await asyncio.gather(
            *(client.kami_recharge(t, source) for t in targets), return_exceptions=True
        )
        wins = [i for i, o in enumerate(outcomes) if not isinstance(o, BaseException)]
        assert len(wins) == 1, outcomes
        assert {o.code for o in outcomes if isinstance(o, KamiApiError)} == {"SOURCE_CARD_USED"}
        assert sum(isinstance(o, KamiApiError) for o in outcomes) == len(targets) - 1
        # Only the winner's term grew (7 days on top of its own 1).
        ends = [await end_of(client, t) for t in targets]
        assert ends[wins[0]] - min(ends) >= 7 * DAY - 60
        assert max(e for i, e in enumerate(ends) if i != wins[0]) - min(ends) < 60


async def test_the_card_calls_made_with_an_account(catalogue_rsa_server: TestServer) -> None:
    server = catalogue_rsa_server
    user, fresh = f"py_{uuid.uuid4().hex[:12]}", f"py_{uuid.uuid4().hex[:12]}"
    async with server.async_client() as client:
        await client.register(user, "secret-1")
        await client.register(fresh, "secret-1")
        await client.recharge(user, server.card(type=0))
        await client.user_login(user, "secret-1", "D-1")

        assert await code_of(lambda: client.unbind_user(user, "secret-1", "D-2")) == "DEVICE_MISMATCH"
        assert await code_of(lambda: client.unbind_user(user, "bad-pass", "D-1")) == "USER_LOGIN_FAILED"
        assert (await client.unbind_user(user, "secret-1", "D-1")).msg == "解绑成功"
        assert await code_of(lambda: client.unbind_user(user, "secret-1", "D-1")) == "USER_NOT_BOUND"
        assert (await client.user_login(user, "secret-1", "D-2")).change == 1

        assert (await client.ip_unbind_user(user, "secret-1")).msg == "IP解绑成功"
        assert await code_of(lambda: client.ip_unbind_user(user, "secret-1")) == "USER_IP_NOT_BOUND"

        assert (await client.modify_core_by_user(user, "secret-1", "核心")).msg == "修改成功"
        assert (await client.get_user_core(user, "secret-1")).core == "核心"
        assert (
            await code_of(lambda: client.modify_core_by_user(user, "secret-1", "x" * 17)) == "DATA_TOO_LONG"
        )

        value = uuid.uuid4().hex[:8]
        assert (await client.modify_variable_by_user(user, "secret-1", "v", value)).msg == "修改成功"
        assert (await client.get_variable_by_user(user, "secret-1", "v", valuename="变量")).value == value
        assert await code_of(lambda: client.get_variable_by_user(user, "secret-1", "nope")) == (
            "VARIABLE_NOT_FOUND"
        )
        assert await code_of(lambda: client.modify_variable_by_user(user, "secret-1", "v", "x" * 17)) == (
            "DATA_TOO_LONG"
        )
        assert (
            await code_of(lambda: client.get_variable_by_user(fresh, "secret-1", "v")) == "USER_NOT_RECHARGED"
        )

        assert (await client.disable_user(user, "secret-1")).msg == "禁用成功"
        assert await code_of(lambda: client.user_login(user, "secret-1", "D-2")) == "USER_DISABLED"
        assert await code_of(lambda: client.disable_user(user, "secret-1")) == "USER_DISABLED"
