"""The sync client against the real reference server (kami-test-harness)."""

from __future__ import annotations

import json
import re
import threading
from typing import Any, List, Tuple

import pytest

import kami_verify
from kami_verify import KamiApiError, KamiVerificationError
from tests.conftest import TestServer
from tests.faults import dead_url, tampering_proxy, wait_for

pytestmark = pytest.mark.integration


def test_the_whole_t3_family_in_each_encoding(any_server: TestServer) -> None:
    card = any_server.card()
    client = any_server.client()
    login = client.login(card, "DEVICE-1")
    assert (login.kami, login.imei) == (card, "DEVICE-1")
    assert re.fullmatch(r"[0-9a-f]{32}", login.statecode) and login.end_timestamp is not None
    assert client.heartbeat(login.statecode).msg == "在线"
    assert client.heartbeat(login.statecode, kami=card).time > 0
    query = client.query(card)
    assert query.end_time == login.end_time and query.amount == login.amount
    assert query.line == 1 and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", query.line_time or "")
    unused = client.query(any_server.card())
    assert (unused.line, unused.line_time) == (0, "")
    assert isinstance(client.notice().msg, str)
    assert client.version().version
    assert client.check_update(client.version().version).latest
    assert client.unbind(card, "DEVICE-1").msg == "解绑成功"
    # Unbound: another device may log in now.
    assert client.login(card, "DEVICE-2").imei == "DEVICE-2"


def test_int_code_and_two_way_signatures(special_server: TestServer) -> None:
    server = special_server
    card = server.card()
    login = server.client(verify_token="signed").login(card, "DEV")
    assert login.raw["code"] == 200
    assert server.client().login(card, "DEV").statecode  # auto accepts the two-way formula too
    with pytest.raises(KamiVerificationError) as raised:
        server.client(verify_token="basic").login(card, "DEV")
    assert raised.value.code == "TOKEN_MISMATCH"


def test_device_mismatch_disabled_and_unknown_cards(plain_server: TestServer) -> None:
    client = plain_server.client()
    bound = plain_server.card(imei="DEVICE-A")
    with pytest.raises(KamiApiError) as raised:
        client.login(bound, "DEVICE-B")
    assert (raised.value.code, raised.value.server_message) == ("DEVICE_MISMATCH", "请在原设备登录")
    with pytest.raises(KamiApiError) as raised:
        client.login(plain_server.card(disabled=True), "DEV")
    assert raised.value.code == "CARD_DISABLED"
    with pytest.raises(KamiApiError) as raised:
        client.login("0" * 32, "DEV")
    assert raised.value.code == "CARD_NOT_FOUND"
    with pytest.raises(KamiApiError) as raised:
        client.heartbeat("0" * 32)
    assert raised.value.code == "STATECODE_NOT_FOUND"


def test_expired_card(special_server: TestServer) -> None:
    server = special_server
    card = server.card(type=0)
    client = server.client()
    client.login(card, "DEV")
    server.advance(2 * 86400)
    with pytest.raises(KamiApiError) as raised:
        client.login(card, "DEV")
    assert raised.value.code == "CARD_EXPIRED"


def test_wrong_app_key_and_stale_clock(plain_server: TestServer) -> None:
    card = plain_server.card()
    with pytest.raises(KamiApiError) as raised:
        plain_server.client(app_key="0" * 32).login(card, "DEV")
    assert raised.value.code == "SIGNATURE_INVALID"
    with pytest.raises(KamiApiError) as raised:
        plain_server.client(clock=lambda: plain_server.clock() - 3600).login(card, "DEV")
    assert raised.value.code == "TIMESTAMP_INVALID"


def test_failover_from_a_dead_host_to_a_live_one(plain_server: TestServer) -> None:
    client = plain_server.client([dead_url(), plain_server.url])
    login = client.login(plain_server.card(), "DEV")
    assert client.heartbeat(login.statecode).msg == "在线"


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("end_time", "TOKEN_MISMATCH"),
        ("statecode", "STATECODE_MISMATCH"),
        ("safe_code", "SAFE_CODE_MISMATCH"),
    ],
)
def test_a_tampered_reply_is_rejected(plain_server: TestServer, field: str, code: str) -> None:
    def tamper(text: str) -> str:
        body = json.loads(text)
        if field in body:
            body[field] = "2099-01-01 00:00:00" if field == "end_time" else "0" * 32
        return json.dumps(body, ensure_ascii=False)

    with tampering_proxy(plain_server.url, tamper) as proxy, pytest.raises(KamiVerificationError) as raised:
        plain_server.client(proxy).login(plain_server.card(), "DEV")
    assert raised.value.code == code


def test_potatocloud_card_management(special_server: TestServer) -> None:
    server = special_server
    client = server.client(potato=server.potato(sign_secret="py-sign-secret"))
    cards = client.create_card_my(0, 3)
    assert len(cards) == 3 and all(re.fullmatch(r"[0-9A-F]{32}", c["cardStr"]) for c in cards)
    listed = client.get_card_my_list(p=1, s=50)
    assert {c["cardStr"] for c in cards} <= {c["cardStr"] for c in listed.cards}
    # A created card logs in through the T3 side.
    assert client.login(cards[0]["cardStr"], "DEV").amount
    with pytest.raises(KamiApiError) as raised:
        server.client(potato=server.potato(pass_word="wrong", api_user_token=None)).create_card_my(0, 1)
    assert raised.value.code == "LOGIN_FAILED"
    with pytest.raises(KamiApiError) as raised:
        server.client(potato=server.potato(sign_secret="wrong")).create_card_my(0, 1)
    assert raised.value.code == "SIGNATURE_INVALID"


# -- managed heartbeat ------------------------------------------------------------------------


class Events:
    def __init__(self) -> None:
        self.items: List[Tuple[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, kind: str, *args: Any) -> None:
        with self.lock:
            self.items.append((kind, args))

    def kinds(self) -> List[str]:
        with self.lock:
            return [k for k, _ in self.items]

    def listeners(self) -> Any:
        return dict(
            on_beat=lambda *a: self.add("beat", *a),
            on_error=lambda *a: self.add("error", *a),
            on_lost=lambda *a: self.add("lost", *a),
            on_relogin=lambda *a: self.add("relogin", *a),
        )


def test_managed_heartbeat_survives_a_server_restart(heartbeat_server: TestServer) -> None:
    # A restart takes the harness a second or two: the validity must outlast it.
    server = heartbeat_server
    client = server.client(timeout=1.0)
    login = client.login(server.card(), "DEV")
    events = Events()
    with client.start_heartbeat(
        login, validity_seconds=10, interval=1.5, relogin=True, initial_backoff=0.2, **events.listeners()
    ) as hb:
        assert wait_for(lambda: hb.beats >= 1)
        server.stop()
        assert wait_for(lambda: "error" in events.kinds())
        server.start()
        before = hb.beats
        assert wait_for(lambda: hb.beats > before or "relogin" in events.kinds())
        assert hb.state == "running" and "lost" not in events.kinds()
    assert hb.state == "stopped" and hb.end is not None and hb.end.reason == "stopped"


def test_managed_heartbeat_reports_lost_when_the_card_is_disabled(heartbeat_server: TestServer) -> None:
    server = heartbeat_server
    client = server.client(timeout=1.0)
    card = server.card()
    events = Events()
    hb = client.start_heartbeat(
        client.login(card, "DEV"), validity_seconds=10, interval=1, relogin=True, **events.listeners()
    )
    assert wait_for(lambda: hb.beats >= 1)
    server.card_action(card, "disable")
    end = hb.wait(timeout=15)
    assert end is not None and (end.reason, end.lost_reason) == ("lost", "rejected")
    assert end.error is not None and end.error.code in ("CARD_DISABLED", "STATECODE_NOT_FOUND")
    assert events.kinds().count("lost") == 1 and hb.state == "lost"


def test_managed_heartbeat_reports_an_outage(heartbeat_server: TestServer) -> None:
    server = heartbeat_server
    client = server.client(timeout=0.5)
    hb = client.start_heartbeat(client.login(server.card(), "DEV"), validity_seconds=2)
    server.stop()
    end = hb.wait(timeout=15)
    assert end is not None and (end.reason, end.lost_reason) == ("lost", "outage")
    assert isinstance(end.error, kami_verify.KamiConnectionError)
