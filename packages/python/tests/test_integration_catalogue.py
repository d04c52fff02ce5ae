"""The sync client's calls beyond login / heartbeat / query / unbind / notice / version /
check_update (the rest of spec/catalogue/t3.json) against the real reference server: each call's
success and its documented errors, in plain and base64 mode."""

from __future__ import annotations

import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional

import pytest

from kami_verify import (
    KamiApiError,
    KamiValidationError,
    KamiVerificationError,
    compute_login_token,
    parse_date_time,
)
from tests.conftest import CLOUD_DOC, TestServer
from tests.faults import tampering_proxy

pytestmark = pytest.mark.integration

DAY = 86_400


def api_error(call: Callable[[], object]) -> KamiApiError:
    with pytest.raises(KamiApiError) as raised:
        call()
    return raised.value


def end_of(server: TestServer, card: str) -> int:
    end = parse_date_time(server.client().query(card).end_time or "")
    assert end is not None
    return end


def unique_user() -> str:
    return f"py_{uuid.uuid4().hex[:12]}"


# -- card family ------------------------------------------------------------------------------


def test_kami_recharge_moves_a_card_onto_an_activated_one_once(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    target, source = server.card(type=0), server.card(type=1)
    assert api_error(lambda: client.kami_recharge(target, source)).code == "TARGET_CARD_NOT_ACTIVATED"
    client.login(target, "M-1")
    before = end_of(server, target)
    assert client.kami_recharge(target, source).msg == "充值成功"
    assert end_of(server, target) - before == 7 * DAY
    error = api_error(lambda: client.kami_recharge(target, source))
    assert (error.code, error.server_message) == ("SOURCE_CARD_USED", "充值卡密已被使用")
    assert end_of(server, target) - before == 7 * DAY
    assert api_error(lambda: client.kami_recharge(target, "0" * 32)).code == "SOURCE_CARD_NOT_FOUND"
    assert api_error(lambda: client.kami_recharge(target, server.card(uses=3))).code == "CARD_KIND_MISMATCH"


def test_ip_unbind_core_heartbeat_any_online_kami_and_disable(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    card = server.card(core="c0de")
    online_before = client.online_kami().count
    session = client.login(card, "M-2")
    assert client.online_kami().count == online_before + 1

    assert server.card_record(card)["boundIp"]
    assert client.ip_unbind(card).msg == "IP解绑成功"
    assert server.card_record(card)["boundIp"] is None
    assert api_error(lambda: client.ip_unbind(card)).code == "IP_NOT_BOUND"

    assert client.get_kami_core(card).core == "c0de"
    assert client.modify_core(card, "新的核心").msg == "修改成功"
    assert client.get_kami_core(card).core == "新的核心"
    assert api_error(lambda: client.modify_core(card, "x" * 17)).code == "DATA_TOO_LONG"
    assert client.get_kami_core(card).core == "新的核心"
    assert client.modify_core(card, "").msg == "修改成功"
    assert client.get_kami_core(card).core == ""
    assert api_error(lambda: client.get_kami_core("0" * 32)).code == "CARD_NOT_FOUND"

    beat = client.heartbeat_any(session.statecode)
    assert beat.msg == "在线" and abs(beat.time - server.clock()) < 5
    assert api_error(lambda: client.heartbeat_any("0" * 32)).code == "STATECODE_NOT_FOUND"

    assert client.disable(card).msg == "禁用成功"
    assert api_error(lambda: client.disable(card)).code == "CARD_DISABLED"
    assert api_error(lambda: client.heartbeat_any(session.statecode)).code == "STATECODE_NOT_FOUND"
    assert client.online_kami().count == online_before
    assert api_error(lambda: client.get_kami_core(card)).code == "CARD_DISABLED"
    assert server.card_record(card)["disabled"] is True


def test_app_sign_and_the_named_version(catalogue_server: TestServer) -> None:
    client = catalogue_server.client()
    signed = client.app_sign("SIG-1")
    assert (signed.msg, signed.autograph) == ("签名一致", "SIG-1")
    assert signed.time is not None and abs(signed.time - catalogue_server.clock()) < 5
    error = api_error(lambda: client.app_sign("SIG-2"))
    assert (error.code, error.server_message) == ("APP_SIGN_MISMATCH", "应用签名不一致")
    version = client.version()
    assert (version.version, version.name) == ("3.0.0", "三代")


def test_cloud_variables(catalogue_server: TestServer) -> None:
    client = catalogue_server.client()
    card = catalogue_server.card()
    assert client.get_variable(card, "ro").value == "fixed"
    assert client.get_variable(card, valuename="只读").value == "fixed"
    assert client.get_variable(card, "ro", valuename="只读").value == "fixed"
    assert api_error(lambda: client.get_variable(card, "ro", valuename="变量")).code == "VARIABLE_NOT_FOUND"
    error = api_error(lambda: client.get_variable(card, "missing"))
    assert (error.code, error.server_message) == ("VARIABLE_NOT_FOUND", "变量不存在")
    with pytest.raises(KamiValidationError):
        client.get_variable(card)

    value = uuid.uuid4().hex[:8]
    assert client.modify_variable(card, "v", value).msg == "修改成功"
    assert client.get_variable(card, "v", valuename="变量").value == value
    assert api_error(lambda: client.modify_variable(card, "ro", "x")).code == "VARIABLE_READ_ONLY"
    assert api_error(lambda: client.modify_variable(card, "v", "x" * 17)).code == "DATA_TOO_LONG"
    assert api_error(lambda: client.get_variable("0" * 32, "ro")).code == "CARD_NOT_FOUND"
    assert client.get_variable(card, "v").value == value


def test_cloud_doc_for_the_token_of_a_live_login(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    card = server.card()
    login = client.login(card, "DOC-1")
    doc = client.cloud_doc(login.token)
    assert (doc.content, doc.raw["msg"]) == (CLOUD_DOC, CLOUD_DOC)
    error = api_error(lambda: client.cloud_doc("0" * 32))
    assert (error.code, error.server_message) == ("TOKEN_INVALID", "token无效")
    assert api_error(lambda: client.cloud_doc(login.statecode)).code == "TOKEN_INVALID"
    # The token lives as long as its session: an unbind ends it.
    client.unbind(card, "DOC-1")
    assert api_error(lambda: client.cloud_doc(login.token)).code == "TOKEN_INVALID"
    with pytest.raises(KamiValidationError):
        client.cloud_doc("")

    user = unique_user()
    client.register(user, "secret-1")
    client.recharge(user, server.card(type=0))
    account_login = client.user_login(user, "secret-1", "DOC-2")
    assert client.cloud_doc(account_login.token).content == CLOUD_DOC
    client.change_password(user, "secret-1", "secret-2")
    assert api_error(lambda: client.cloud_doc(account_login.token)).code == "TOKEN_INVALID"


def test_count_calls_answer_common_errors(catalogue_server: TestServer) -> None:
    wrong_key = catalogue_server.client(app_key="0" * 32)
    assert api_error(wrong_key.online_kami).code == "SIGNATURE_INVALID"
    assert api_error(wrong_key.online_user).code == "SIGNATURE_INVALID"


def test_parallel_kami_recharges_of_one_source_exactly_one_succeeds(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    targets = [server.card(type=0) for _ in range(8)]
    for i, target in enumerate(targets):
        client.login(target, f"RACE-{i}")
    before = {t: end_of(server, t) for t in targets}
    source = server.card(type=0)

    def recharge(target: str) -> Optional[str]:
        try:
            client.kami_recharge(target, source)
            return None
        except KamiApiError as error:
            return error.code

    with ThreadPoolExecutor(len(targets)) as pool:
        outcomes: List[Optional[str]] = list(pool.map(recharge, targets))
    assert outcomes.count(None) == 1, outcomes
    assert sorted(o for o in outcomes if o) == ["SOURCE_CARD_USED"] * (len(targets) - 1)
    gained = [end_of(server, t) - before[t] for t in targets]
    assert sorted(gained) == [0] * (len(targets) - 1) + [DAY]
    assert gained.index(DAY) == outcomes.index(None)


# -- account family (账号模式) -------------------------------------------------------------------


def test_account_lifecycle(catalogue_server: TestServer) -> None:
    server = catalogue_server
    client = server.client()
    user = unique_user()
    assert client.register(user, "secret-1", "me@example.com").msg == "注册成功"
    error = api_error(lambda: client.register(user, "secret-1"))
    assert (error.code, error.server_message) == ("USER_EXISTS", "账号已存在")
    assert api_error(lambda: client.user_login(user, "secret-1", "DEV")).code == "USER_NOT_RECHARGED"

    card = server.card(type=0)
    assert client.recharge(user, card).msg == "充值成功"
    assert api_error(lambda: client.recharge(user, card)).code == "CARD_ALREADY_USED"
    assert api_error(lambda: client.recharge(unique_user(), server.card())).code == "USER_NOT_FOUND"

    online_before = client.online_user().count
    login = client.user_login(user, "secret-1", "DEV")
    assert (login.user, login.imei, login.recharge, login.change, login.core) == (user, "DEV", 1, 0, "")
    assert re.fullmatch(r"[0-9a-f]{32}", login.statecode) and login.available > DAY - 60
    assert login.end_timestamp is not None and login.use_time
    assert client.online_user().count == online_before + 1
    assert api_error(lambda: client.user_login(user, "secret-1", "OTHER")).code == "DEVICE_MISMATCH"
    assert api_error(lambda: client.user_login(user, "wrong-pass", "DEV")).code == "USER_LOGIN_FAILED"

    assert client.user_heartbeat(user, "secret-1", login.statecode).msg == "在线"
    assert client.heartbeat_any(login.statecode).msg == "在线"
    assert client.get_user_core(user, "secret-1").core == ""
    assert api_error(lambda: client.get_user_core(user, "wrong-pass")).code == "USER_LOGIN_FAILED"

    assert (
        api_error(lambda: client.change_password(user, "wrong-pass", "secret-2")).code == "USER_LOGIN_FAILED"
    )
    assert client.change_password(user, "secret-1", "secret-2").msg == "密码修改成功"
    error = api_error(lambda: client.user_heartbeat(user, "secret-2", login.statecode))
    assert error.code == "STATECODE_NOT_FOUND"
    assert client.online_user().count == online_before

    assert api_error(lambda: client.user_cancel(user, "secret-1")).code == "USER_LOGIN_FAILED"
    assert client.user_cancel(user, "secret-2").msg == "注销成功"
    error = api_error(lambda: client.user_login(user, "secret-2", "DEV"))
    assert (error.code, error.server_message) == ("USER_LOGIN_FAILED", "账号或密码错误")


def test_user_login_token_is_verified_with_either_formula(special_server: TestServer) -> None:
    # special_server: two-way signatures, so the token carries the request's sign text.
    server = special_server
    user = unique_user()
    client = server.client(verify_token="signed")
    client.register(user, "secret-1")
    client.recharge(user, server.card(type=5))
    login = client.user_login(user, "secret-1", "DEV")
    assert login.raw["code"] == 200
    two_way = compute_login_token(
        id=login.id,
        app_key=server.app["appKey"],
        end_time=login.end_time,
        date=login.date,
        sign_text=login.sign_text,
    )
    assert login.token == two_way
    assert server.client().user_login(user, "secret-1", "DEV").token  # auto accepts it too
    with pytest.raises(KamiVerificationError) as raised:
        server.client(verify_token="basic").user_login(user, "secret-1", "DEV")
    assert raised.value.code == "TOKEN_MISMATCH"


@pytest.mark.parametrize(
    ("field", "code"), [("token", "TOKEN_MISMATCH"), ("statecode", "STATECODE_MISMATCH")]
)
def test_a_tampered_user_login_reply_is_rejected(plain_server: TestServer, field: str, code: str) -> None:
    good = plain_server.client()
    user = unique_user()
    good.register(user, "secret-1")
    good.recharge(user, plain_server.card(type=5))

    def tamper(text: str) -> str:
        body = json.loads(text)
        if "statecode" in body:
            body[field] = "0" * 32
        return json.dumps(body, ensure_ascii=False)

    with tampering_proxy(plain_server.url, tamper) as proxy, pytest.raises(KamiVerificationError) as raised:
        plain_server.client(proxy).user_login(user, "secret-1", "DEV")
    assert raised.value.code == code
    assert good.user_login(user, "secret-1", "DEV").token
