"""Every file in spec/vectors/, checked against this SDK. A file without a handler fails the suite."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Callable, Dict, List

import pytest

import kami_verify
from kami_verify import _messages
from kami_verify._beijing import format_date_time, format_minute, parse_date_time
from kami_verify._codecs import STANDARD_ALPHABET, AlphabetBase64Codec, alphabet_b64decode, alphabet_b64encode
from kami_verify._endpoints import Checks, Reply, parse_login
from kami_verify._protocol import PotatoOptions, Protocol, potato_headers
from kami_verify._rsa import RsaCodec, load_public_key
from kami_verify._signing import build_sign_text, encode_form, md5_hex, sign_request
from kami_verify._token import compute_login_token, compute_statecode
from kami_verify._wire import HttpResponse
from tests.helpers import (
    VECTORS,
    drive,
    json_response,
    private_key,
    rsa_decrypt_hex,
    rsa_server_encode,
    vector,
)

HANDLED: Dict[str, List[str]] = {}


Decorator = Callable[[Callable[..., None]], Callable[..., None]]


def cases(file: str, key: str = "cases") -> Decorator:
    """Parametrises a test over one list of a vector file and records the file as handled."""
    HANDLED.setdefault(file, []).append(key)
    items = vector(file)[key]
    ids = [str(item.get("name", i)) if isinstance(item, dict) else str(i) for i, item in enumerate(items)]
    mark: Decorator = pytest.mark.parametrize("case", items, ids=ids)
    return mark


def whole(file: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    HANDLED.setdefault(file, []).append("*")
    return lambda test: test


def test_every_vector_file_is_handled() -> None:
    on_disk = sorted(p.name for p in VECTORS.glob("*.json"))
    assert on_disk, "no vector files found"
    missing = sorted(set(on_disk) - set(HANDLED))
    assert not missing, f"vector files with no test in the Python SDK: {missing}"


# -- bytes.json ------------------------------------------------------------------------------


@cases("bytes.json")
def test_bytes_text(case: Dict[str, str]) -> None:
    data = case["text"].encode("utf-8")
    assert data.hex() == case["hex"]
    assert data.hex().upper() == case["hexUpper"]
    # Our base64 mode with the standard alphabet is plain standard base64.
    assert alphabet_b64encode(case["text"], STANDARD_ALPHABET) == case["base64"]
    assert alphabet_b64decode(case["base64"], STANDARD_ALPHABET) == case["text"]


@cases("bytes.json", "binary")
def test_bytes_binary(case: Dict[str, str]) -> None:
    assert base64.b64encode(bytes.fromhex(case["hex"])).decode() == case["base64"]
    assert base64.b64decode(case["base64"]).hex() == case["hex"]


# -- signing ------------------------------------------------------------------------------------


def _params(case: Dict[str, Any]) -> List[Any]:
    return [tuple(p) for p in case["params"]]


@cases("sign-plain.json")
def test_sign_plain(case: Dict[str, Any]) -> None:
    file = vector("sign-plain.json")
    signed = sign_request(
        _params(case), app_key=file["appKey"], codec=kami_verify.PlainCodec(), timestamp=file["t"]
    )
    assert signed.sign_text == case["signText"]
    assert md5_hex(signed.sign_text) == case["s"]
    assert [list(f) for f in signed.fields] == case["fields"]
    assert encode_form(signed.fields) == case["formBody"]


@cases("sign-base64.json")
def test_sign_base64(case: Dict[str, Any]) -> None:
    file = vector("sign-base64.json")
    codec = AlphabetBase64Codec(file["alphabet"])
    for encoded in case["encodedValues"]:
        assert alphabet_b64encode(encoded["plain"], file["alphabet"]) == encoded["alphabetBase64"]
        assert codec.encode_value(encoded["plain"]) == encoded["hex"]
        assert codec.decode_value(encoded["hex"]) == encoded["plain"]
    signed = sign_request(_params(case), app_key=file["appKey"], codec=codec, timestamp=file["t"])
    assert signed.sign_text == case["signText"]
    assert md5_hex(signed.sign_text) == case["s"]
    assert codec.encode_value(case["s"]) == case["sEncoded"]
    assert [list(f) for f in signed.fields] == case["fields"]
    assert encode_form(signed.fields) == case["formBody"]


@cases("sign-rsa.json")
def test_sign_rsa(case: Dict[str, Any]) -> None:
    file = vector("sign-rsa.json")
    key = private_key()
    # Recorded ciphertexts: decrypt and compare, never re-encrypt and compare.
    for encrypted in case["encryptedValues"]:
        assert rsa_decrypt_hex(encrypted["ciphertextHex"], key) == encrypted["plaintext"]
    assert build_sign_text(case["fields"], file["appKey"]) == case["signText"]
    assert md5_hex(case["signText"]) == case["s"]
    assert rsa_decrypt_hex(case["sEncrypted"]["ciphertextHex"], key) == case["s"]
    assert case["fields"][-1] == ["s", case["sEncrypted"]["ciphertextHex"]]
    # And our own signing of the same params: fresh ciphertexts, which the server can decrypt.
    codec = RsaCodec(vector("rsa-test-key.json")["publicKeySpkiPem"])
    signed = sign_request(_params(case), app_key=file["appKey"], codec=codec, timestamp=file["t"])
    decrypted = [(name, rsa_decrypt_hex(value, key)) for name, value in signed.fields]
    assert decrypted[:-1] == [*_params(case), ("t", str(file["t"]))]
    assert decrypted[-1] == ("s", md5_hex(signed.sign_text))


# -- codecs -------------------------------------------------------------------------------------


@cases("alphabet-base64.json", "values")
def test_alphabet_values(case: Dict[str, str]) -> None:
    alphabet = vector("alphabet-base64.json")["alphabets"][case["alphabet"]]
    codec = AlphabetBase64Codec(alphabet)
    assert base64.b64encode(case["text"].encode()).decode() == case["standardBase64"]
    assert alphabet_b64encode(case["text"], alphabet) == case["alphabetBase64"]
    assert codec.decode_response(case["alphabetBase64"]) == case["text"]
    assert codec.encode_value(case["text"]) == case["requestHex"]
    assert codec.decode_value(case["requestHex"]) == case["text"]


@cases("alphabet-base64.json", "responses")
def test_alphabet_responses(case: Dict[str, str]) -> None:
    alphabet = vector("alphabet-base64.json")["alphabets"][case["alphabet"]]
    assert alphabet_b64encode(case["json"], alphabet) == case["body"]
    codec = AlphabetBase64Codec(alphabet)
    # The client's whole reply path, including the "brace" alphabet whose bodies start with "{".
    from kami_verify._wire import decode_t3_body

    assert decode_t3_body(HttpResponse(200, {}, case["body"]), codec) == json.loads(case["json"])


@cases("alphabet-base64.json", "invalidAlphabets")
def test_invalid_alphabets(case: Dict[str, str]) -> None:
    with pytest.raises(kami_verify.KamiValidationError) as raised:
        AlphabetBase64Codec(case["alphabet"])
    assert raised.value.field == "encoding.alphabet"


@whole("rsa-test-key.json")
@pytest.mark.parametrize("form", ["publicKeySpkiPem", "publicKeyPkcs1Pem", "publicKeySpkiDerBase64"])
def test_rsa_key_forms(form: str) -> None:
    file = vector("rsa-test-key.json")
    numbers = load_public_key(file[form]).public_numbers()
    assert numbers.n == int(file["nHex"], 16)
    assert numbers.e == int(file["eHex"], 16)
    assert private_key().private_numbers().d == int(file["dHex"], 16)
    assert file["bits"] == 1024


@cases("rsa-values.json", "values")
def test_rsa_values(case: Dict[str, Any]) -> None:
    assert len(case["plaintext"].encode()) == case["plaintextBytes"]
    assert len(case["ciphertextHex"]) == case["blocks"] * 256
    assert rsa_decrypt_hex(case["ciphertextHex"]) == case["plaintext"]
    # Our encryption: same block count, decrypts back (the padding is random, so no byte compare).
    ours = RsaCodec(vector("rsa-test-key.json")["publicKeySpkiPem"]).encode_value(case["plaintext"])
    assert len(ours) == len(case["ciphertextHex"]) and ours == ours.upper()
    assert rsa_decrypt_hex(ours) == case["plaintext"]


@cases("rsa-responses.json", "responses")
def test_rsa_responses(case: Dict[str, Any]) -> None:
    codec = RsaCodec(vector("rsa-test-key.json")["publicKeySpkiDerBase64"])
    assert codec.decode_response(case["body"]) == case["plaintext"]
    assert len(base64.b64decode(case["body"])) == case["blocks"] * 128
    # Type-1 padding is deterministic: the server side reproduces the body byte for byte.
    assert rsa_server_encode(case["plaintext"]) == case["body"]


# -- token, time --------------------------------------------------------------------------------


@cases("token.json")
def test_token(case: Dict[str, Any]) -> None:
    app_key = vector("token.json")["appKey"]
    sign_text = case["signText"] if case["variant"] == "signed" else None
    assert f"{case['id']}{app_key}{sign_text or ''}{case['endTime']}{case['date']}" == case["tokenPreimage"]
    token = compute_login_token(
        id=case["id"], app_key=app_key, end_time=case["endTime"], date=case["date"], sign_text=sign_text
    )
    assert token == case["token"]
    assert compute_statecode(token, case["time"]) == case["statecode"]
    assert hashlib.md5(case["statecodePreimage"].encode()).hexdigest() == case["statecode"]


@cases("beijing-time.json")
def test_beijing_time(case: Dict[str, Any]) -> None:
    assert format_minute(case["epochSeconds"]) == case["minute"]
    assert format_date_time(case["epochSeconds"]) == case["dateTime"]
    assert parse_date_time(case["dateTime"]) == case["epochSeconds"]


@cases("beijing-time.json", "invalidDateTimes")
def test_beijing_invalid(case: str) -> None:
    assert parse_date_time(case) is None


# -- potatocloud ----------------------------------------------------------------------------------


@cases("potato-sign.json")
def test_potato_sign(case: Dict[str, Any]) -> None:
    if case["signSecret"] is not None:
        assert md5_hex(case["signPreimage"]) == case["sign"]
    headers = potato_headers(
        ask_key=case["askKey"],
        api_user_token=case["apiUserToken"],
        sign_secret=case["signSecret"],
        time_ms=case["timeMs"],
    )
    assert headers == case["headers"]


# -- seed fixtures ----------------------------------------------------------------------------------

SEED = vector("seed-fixtures.json")
HANDLED.setdefault("seed-fixtures.json", []).append("t3Login, potatoCreateCardMy")


def _seed_reply(body: Dict[str, Any], verify: str = "auto") -> Reply:
    login = SEED["t3Login"]
    checks = Checks(
        app_key=login["appKey"],
        success_code=200,
        now=lambda: float(login["consistentBasicResponse"]["time"]),
        max_clock_skew=5.0,
        verify_token=verify,
    )
    params = {"kami": "KM3Q5T7W9Y2B4D6F", "imei": "DEVICE_001", "safe_code": "hello"}
    return Reply(body, HttpResponse(200, {}, json.dumps(body)), login["signTextOfRequest"], params, checks)


@pytest.mark.parametrize(
    "name", ["consistentBasicResponse", "consistentSignedResponse", "intSuccessCodeResponse"]
)
def test_seed_login_replies_verify(name: str) -> None:
    body = SEED["t3Login"][name]
    result = parse_login(_seed_reply(body))
    assert result.token == body["token"] and result.statecode == body["statecode"]
    assert result.core_text == SEED["t3Login"]["coreHexDecoded"]
    assert result.safe_code == "hello"


def test_seed_success_response_placeholders_do_not_verify() -> None:
    with pytest.raises(kami_verify.KamiVerificationError) as raised:
        parse_login(_seed_reply(SEED["t3Login"]["successResponse"]))
    assert raised.value.code == "TOKEN_MISMATCH"
    # Its fields are all there, and without the token check it parses.
    result = parse_login(_seed_reply(SEED["t3Login"]["successResponse"], verify=None))  # type: ignore[arg-type]
    assert set(SEED["t3Login"]["successFields"]) <= set(result.raw)


def test_seed_error_response() -> None:
    with pytest.raises(kami_verify.KamiApiError) as raised:
        parse_login(_seed_reply(SEED["t3Login"]["errorResponse"]))
    assert (raised.value.code, raised.value.server_code) == ("CARD_EXPIRED", "201")
    assert raised.value.server_message == SEED["t3Login"]["errorResponse"]["msg"]


def test_seed_potato_create_card_my() -> None:
    seed = SEED["potatoCreateCardMy"]
    protocol = Protocol(
        base_url="http://potato.invalid",
        app_key="k",
        routes={},
        potato=PotatoOptions(ask_key="ask", api_user_token="tok"),
    )
    calls: List[Any] = []
    cards = drive(
        protocol.create_card_my(seed["request"]["type"], seed["request"]["total"]),
        lambda call: json_response(seed["response"]),
        calls,
    )
    assert calls[0].path == seed["path"] and calls[0].content.decode() == seed["requestJson"]
    assert cards == seed["response"]["data"]
    assert all(isinstance(card["id"], str) for card in cards)  # snowflake ids above 2^53 stay strings
    assert int(cards[0]["id"]) > 2**53
    assert len(seed["cardTypes"]) == 6 and seed["maxTotal"] == 10
    with pytest.raises(kami_verify.KamiValidationError):
        protocol.create_card_my(1, seed["maxTotal"] + 1)


# -- messages.json --------------------------------------------------------------------------------


def test_packaged_messages_are_the_spec_file() -> None:
    packaged = (
        __import__("importlib.resources")
        .resources.files("kami_verify")
        .joinpath("messages.json")
        .read_bytes()
    )
    assert packaged == (VECTORS / "messages.json").read_bytes(), "run scripts/sync_messages.py"


MESSAGES = vector("messages.json")
HANDLED.setdefault("messages.json", []).append("*")


@pytest.mark.parametrize("row", [*MESSAGES["t3"]["seed"], *MESSAGES["t3"]["other"]], ids=lambda r: r["code"])
def test_t3_messages(row: Dict[str, str]) -> None:
    error = _messages.t3_error(f"  {row['message']} ", server_code="201", http_status=200)
    assert error.code == row["errorCode"]
    assert error.server_message == f"  {row['message']} "
    assert isinstance(error, kami_verify.KamiRateLimitError) == (row["errorCode"] == "RATE_LIMITED")


@pytest.mark.parametrize("row", MESSAGES["potato"], ids=lambda r: r["code"])
def test_potato_messages(row: Dict[str, str]) -> None:
    assert _messages.potato_error(row["message"], server_code="500", http_status=200).code == row["errorCode"]


@pytest.mark.parametrize("row", MESSAGES["potatoEnvelopeFallback"], ids=lambda r: r["serverCode"])
def test_potato_fallback(row: Dict[str, str]) -> None:
    unknown = MESSAGES["unknownMessage"]["message"]
    assert (
        _messages.potato_error(unknown, server_code=row["serverCode"], http_status=200).code
        == row["errorCode"]
    )
    assert (
        _messages.potato_error(unknown, server_code=int(row["serverCode"]), http_status=200).code
        == row["errorCode"]
    )


def test_unknown_message_and_429() -> None:
    unknown = MESSAGES["unknownMessage"]
    error = _messages.t3_error(unknown["message"], server_code="201", http_status=200)
    assert (error.code, error.server_message) == (unknown["errorCode"], unknown["message"])
    limited = _messages.t3_error(unknown["message"], server_code="201", http_status=429, retry_after=3.0)
    assert isinstance(limited, kami_verify.KamiRateLimitError) and limited.retry_after == 3.0


@pytest.mark.parametrize("row", MESSAGES["t3"]["success"], ids=lambda r: r["code"])
def test_success_messages_are_not_errors(row: Dict[str, str]) -> None:
    assert _messages.t3_code_for_message(row["message"]) is None
