"""The card calls made with an account (t3sdk's unbind_user, ip_unbind_user, disable_user,
modify_core_by_user, get_variable_by_user, modify_variable_by_user) through the sync client
against the real reference server, in plain and base64 mode: each call's success and its
documented errors. The server binds an account's IP at user_login (CATALOGUE_SETTINGS)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional, Tuple

import pytest

from kami_verify import Client, KamiApiError, KamiValidationError
from tests.conftest import TestServer

pytestmark = pytest.mark.integration

PASS = "secret-1"


def api_error(call: Callable[[], object]) -> Tuple[str, str]:
    with pytest.raises(KamiApiError) as raised:
        call()
    return raised.value.code, raised.value.server_message


def account(server: TestServer, client: Client, *, recharged: bool = True) -> str:
    """A new account, with a day card recharged into it unless ``recharged`` is false."""
    user = f"pyv_{uuid.uuid4().hex[:12]}"
    assert client.register(user, PASS).msg == "注册成功"
    if recharged:
        assert client.recharge(user, server.card(type=0)).msg == "充值成功"
    return user


def test_unbind_user_frees_the_bound_device_once(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    user = account(server, client)
    assert client.user_login(user, PASS, "DEV-1").change == 0
    assert api_error(lambda: client.unbind_user(user, PASS, "DEV-2")) == ("DEVICE_MISMATCH", "请在原设备登录")
    assert api_error(lambda: client.unbind_user(user, "wrong-pw", "DEV-1")) == (
        "USER_LOGIN_FAILED",
        "账号或密码错误",
    )
    assert api_error(lambda: client.unbind_user(f"no_{user}", PASS, "DEV-1"))[0] == "USER_LOGIN_FAILED"

    unbound = client.unbind_user(user, PASS, "DEV-1")
    assert (unbound.msg, unbound.raw["change"]) == ("解绑成功", 1)
    assert api_error(lambda: client.unbind_user(user, PASS, "DEV-1")) == ("USER_NOT_BOUND", "账号未绑定设备")
    # The device is free: another one logs in, and the unbind was counted.
    login = client.user_login(user, PASS, "DEV-2")
    assert (login.imei, login.change) == ("DEV-2", 1)
    assert api_error(lambda: client.user_login(user, PASS, "DEV-1"))[0] == "DEVICE_MISMATCH"


def test_unbind_user_of_an_account_never_logged_in(catalogue_server: TestServer) -> None:
    client = catalogue_server.client()
    user = account(catalogue_server, client)
    assert api_error(lambda: client.unbind_user(user, PASS, "DEV-1"))[0] == "USER_NOT_BOUND"
    assert api_error(lambda: client.ip_unbind_user(user, PASS))[0] == "USER_IP_NOT_BOUND"


def test_ip_unbind_user_clears_the_bound_ip_once(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    user = account(server, client)
    client.user_login(user, PASS, "DEV-1")
    assert api_error(lambda: client.ip_unbind_user(user, "wrong-pw"))[0] == "USER_LOGIN_FAILED"
    assert client.ip_unbind_user(user, PASS).msg == "IP解绑成功"
    assert api_error(lambda: client.ip_unbind_user(user, PASS)) == ("USER_IP_NOT_BOUND", "账号未绑定IP")
    # A new login binds the IP again.
    client.user_login(user, PASS, "DEV-1")
    assert client.ip_unbind_user(user, PASS).msg == "IP解绑成功"


def test_modify_core_by_user_and_its_size_limit(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    user = account(server, client)
    assert client.get_user_core(user, PASS).core == ""
    assert client.modify_core_by_user(user, PASS, "核心").msg == "修改成功"
    assert client.get_user_core(user, PASS).core == "核心"
    # coreMaxBytes is 16.
    assert api_error(lambda: client.modify_core_by_user(user, PASS, "x" * 17)) == (
        "DATA_TOO_LONG",
        "数据长度超出限制",
    )
    assert client.get_user_core(user, PASS).core == "核心"
    assert api_error(lambda: client.modify_core_by_user(user, "wrong-pw", "x"))[0] == "USER_LOGIN_FAILED"
    assert client.modify_core_by_user(user, PASS, "").msg == "修改成功"
    assert client.get_user_core(user, PASS).core == ""


def test_cloud_variables_by_user(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    user = account(server, client)
    assert client.get_variable_by_user(user, PASS, "ro").value == "fixed"
    assert client.get_variable_by_user(user, PASS, valuename="只读").value == "fixed"
    assert client.get_variable_by_user(user, PASS, "ro", valuename="只读").value == "fixed"
    assert api_error(lambda: client.get_variable_by_user(user, PASS, "missing")) == (
        "VARIABLE_NOT_FOUND",
        "变量不存在",
    )
    assert api_error(lambda: client.get_variable_by_user(user, "wrong-pw", "ro"))[0] == "USER_LOGIN_FAILED"
    with pytest.raises(KamiValidationError):
        client.get_variable_by_user(user, PASS)

    value = uuid.uuid4().hex[:8]
    assert client.modify_variable_by_user(user, PASS, "v", value).msg == "修改成功"
    assert client.get_variable_by_user(user, PASS, "v", valuename="变量").value == value
    # App-wide: a card reads what the account wrote.
    assert client.get_variable(server.card(), "v").value == value
    assert api_error(lambda: client.modify_variable_by_user(user, PASS, "ro", "x"))[0] == "VARIABLE_READ_ONLY"
    # variableMaxBytes is 16.
    assert api_error(lambda: client.modify_variable_by_user(user, PASS, "v", "x" * 17)) == (
        "DATA_TOO_LONG",
        "数据长度超出限制",
    )
    assert api_error(lambda: client.modify_variable_by_user(user, PASS, "missing", "x"))[0] == (
        "VARIABLE_NOT_FOUND"
    )
    assert api_error(lambda: client.modify_variable_by_user(user, "wrong-pw", "v", "x"))[0] == (
        "USER_LOGIN_FAILED"
    )
    assert client.get_variable_by_user(user, PASS, "v").value == value


def test_variables_of_an_account_never_recharged(catalogue_server: TestServer) -> None:
    client = catalogue_server.client()
    user = account(catalogue_server, client, recharged=False)
    assert api_error(lambda: client.get_variable_by_user(user, PASS, "ro")) == (
        "USER_NOT_RECHARGED",
        "账号未充值",
    )
    assert api_error(lambda: client.modify_variable_by_user(user, PASS, "v", "x"))[0] == "USER_NOT_RECHARGED"


def test_disable_user_ends_the_sessions_and_the_account_is_disabled_after(
    catalogue_server: TestServer,
) -> None:
    server = catalogue_server
    client = server.client()
    user = account(server, client)
    login = client.user_login(user, PASS, "DEV-1")
    online = client.online_user().count
    assert api_error(lambda: client.disable_user(user, "wrong-pw"))[0] == "USER_LOGIN_FAILED"
    assert client.disable_user(user, PASS).msg == "禁用成功"
    assert client.online_user().count == online - 1
    assert api_error(lambda: client.user_heartbeat(user, PASS, login.statecode))[0] == "STATECODE_NOT_FOUND"
    assert api_error(lambda: client.user_login(user, PASS, "DEV-1")) == ("USER_DISABLED", "账号被禁用")
    assert api_error(lambda: client.disable_user(user, PASS)) == ("USER_DISABLED", "账号被禁用")
    # Every other account call on the card routes answers it too.
    calls: List[Callable[[], object]] = [
        lambda: client.unbind_user(user, PASS, "DEV-1"),
        lambda: client.ip_unbind_user(user, PASS),
        lambda: client.modify_core_by_user(user, PASS, "x"),
        lambda: client.get_variable_by_user(user, PASS, "ro"),
        lambda: client.modify_variable_by_user(user, PASS, "v", "x"),
    ]
    assert [api_error(call)[0] for call in calls] == ["USER_DISABLED"] * len(calls)


def test_parallel_unbind_user_calls_unbind_once(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    user = account(server, client)
    client.user_login(user, PASS, "DEV-1")

    def unbind(_: int) -> Optional[str]:
        try:
            client.unbind_user(user, PASS, "DEV-1")
            return None
        except KamiApiError as error:
            return error.code

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(unbind, range(6)))
    assert outcomes.count(None) == 1, outcomes
    assert sorted(o for o in outcomes if o) == ["USER_NOT_BOUND"] * 5
    assert client.user_login(user, PASS, "DEV-2").change == 1
