"""Property tests (Hypothesis): codec round trips and signing invariants."""

from __future__ import annotations

import base64
from typing import List, Tuple
from urllib.parse import parse_qsl

from hypothesis import given, settings
from hypothesis import strategies as st

from kami_verify._beijing import format_date_time, parse_date_time
from kami_verify._codecs import STANDARD_ALPHABET, AlphabetBase64Codec, alphabet_b64decode, alphabet_b64encode
from kami_verify._rsa import RsaCodec, recover_type1
from kami_verify._signing import encode_form, md5_hex, sign_request
from tests.helpers import private_key, rsa_decrypt_hex, rsa_server_encode, vector

# Any Unicode text that UTF-8 can carry (no lone surrogates).
texts = st.text(st.characters(codec="utf-8"), max_size=300)
alphabets = st.permutations(sorted(set(map(chr, range(0x21, 0x7F))) - {"="})).map(
    lambda chars: "".join(chars[:64])
)

RSA_PUBLIC = vector("rsa-test-key.json")["publicKeySpkiPem"]


@given(texts, alphabets)
def test_alphabet_round_trip(text: str, alphabet: str) -> None:
    codec = AlphabetBase64Codec(alphabet)
    assert codec.decode_response(alphabet_b64encode(text, alphabet)) == text
    assert codec.decode_value(codec.encode_value(text)) == text


@given(texts)
def test_standard_alphabet_is_standard_base64(text: str) -> None:
    assert alphabet_b64encode(text, STANDARD_ALPHABET) == base64.b64encode(text.encode()).decode()
    assert alphabet_b64decode(base64.b64encode(text.encode()).decode(), STANDARD_ALPHABET) == text


@settings(max_examples=40, deadline=None)
@given(texts)
def test_rsa_value_round_trip(text: str) -> None:
    encoded = RsaCodec(RSA_PUBLIC).encode_value(text)
    blocks = max(1, -(-len(text.encode()) // 117))
    assert len(encoded) == blocks * 256
    assert rsa_decrypt_hex(encoded) == text


@settings(max_examples=40, deadline=None)
@given(texts)
def test_rsa_reply_round_trip(text: str) -> None:
    body = rsa_server_encode(text)
    assert RsaCodec(RSA_PUBLIC).decode_response(body) == text
    numbers = private_key().public_key().public_numbers()
    assert recover_type1(body, numbers.n, numbers.e) == text.encode()


fields = st.lists(
    st.tuples(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12), texts), max_size=6
)


@given(fields, st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=2**32))
def test_plain_signing_signs_what_is_sent(params: List[Tuple[str, str]], app_key: str, t: int) -> None:
    from kami_verify import PlainCodec

    signed = sign_request(params, app_key=app_key, codec=PlainCodec(), timestamp=t)
    # The form body decodes back to exactly the fields, in order, whatever the characters.
    assert parse_qsl(encode_form(signed.fields), keep_blank_values=True) == signed.fields
    names = [name for name, _ in signed.fields]
    assert names[-2:] == ["t", "s"] and signed.fields[-1][1] == md5_hex(signed.sign_text)
    assert signed.sign_text.endswith(app_key)


@given(st.integers(min_value=0, max_value=4102444799))
def test_beijing_date_time_round_trip(epoch: int) -> None:
    assert parse_date_time(format_date_time(epoch)) == epoch
