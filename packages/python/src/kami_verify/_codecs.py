"""The three value codecs of the T3 family: plain, alphabet base64 and RSA (see ``_rsa``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping, Protocol, Union

from ._errors import KamiValidationError

STANDARD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class CodecError(ValueError):
    """A body or value is not valid in this encoding mode (wrapped into a typed error by the client)."""


class Codec(Protocol):
    """What a client does with values and bodies in one encoding mode."""

    @property
    def mode(self) -> str: ...

    def encode_value(self, value: str) -> str:
        """Encodes one request value. RSA output is randomised: encode once, sign what you send."""

    def decode_response(self, body: str) -> str:
        """Turns a response body into JSON text; raises :class:`CodecError`."""


class PlainCodec:
    """Values and replies travel as they are."""

    mode = "plain"

    def encode_value(self, value: str) -> str:
        return value

    def decode_response(self, body: str) -> str:
        return body

    def __repr__(self) -> str:
        return "PlainCodec()"


def validate_alphabet(alphabet: object) -> str:
    """A base64 alphabet: 64 distinct printable ASCII characters (``!``–``~``) other than ``=``."""
    if not isinstance(alphabet, str) or len(alphabet) != 64:
        raise KamiValidationError("encoding.alphabet", "a base64 alphabet has exactly 64 characters")
    if any(not ("!" <= ch <= "~") or ch == "=" for ch in alphabet):
        raise KamiValidationError(
            "encoding.alphabet", 'a base64 alphabet uses printable ASCII other than "="'
        )
    if len(set(alphabet)) != 64:
        raise KamiValidationError("encoding.alphabet", "a base64 alphabet has no repeated characters")
    return alphabet


def alphabet_b64encode(text: str, alphabet: str) -> str:
    """Alphabet base64 of a UTF-8 string (the response form): standard base64, characters mapped."""
    standard = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return standard.translate(str.maketrans(STANDARD_ALPHABET, alphabet))


def alphabet_b64decode(text: str, alphabet: str) -> str:
    """Inverse of :func:`alphabet_b64encode`; :class:`CodecError` on foreign characters or bad UTF-8."""
    text = text.strip()
    allowed = set(alphabet)
    for ch in text:
        if ch != "=" and ch not in allowed:
            raise CodecError(f"character {ch!r} is not in the alphabet")
    standard = text.translate(str.maketrans(alphabet, STANDARD_ALPHABET))
    try:
        return base64.b64decode(standard, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise CodecError(f"not alphabet base64 of UTF-8 text: {error}") from error


class AlphabetBase64Codec:
    """The T3 "base64" mode: request values are the UPPERCASE hex of the alphabet base64 text;
    replies are the alphabet base64 text itself."""

    mode = "base64"

    def __init__(self, alphabet: str) -> None:
        self.alphabet = validate_alphabet(alphabet)

    def encode_value(self, value: str) -> str:
        return alphabet_b64encode(value, self.alphabet).encode("ascii").hex().upper()

    def decode_value(self, hex_text: str) -> str:
        """The server side of :meth:`encode_value` (tests and tools)."""
        try:
            text = bytes.fromhex(hex_text).decode("ascii")
        except (ValueError, UnicodeDecodeError) as error:
            raise CodecError(f"not hex of alphabet base64: {error}") from error
        return alphabet_b64decode(text, self.alphabet)

    def decode_response(self, body: str) -> str:
        return alphabet_b64decode(body, self.alphabet)

    def __repr__(self) -> str:
        return "AlphabetBase64Codec(alphabet=...)"


EncodingOption = Union[Codec, Mapping[str, Any], str, None]


def codec_from_options(encoding: EncodingOption) -> Codec:
    """A codec from ``None`` / ``"plain"``, a codec object, or a mapping such as the test harness's
    ``{"mode": "base64", "alphabet": ...}`` / ``{"mode": "rsa", "publicKey": ...}``."""
    if encoding is None or encoding == "plain":
        return PlainCodec()
    if isinstance(encoding, str):
        raise KamiValidationError(
            "encoding", f"unknown encoding {encoding!r}: pass 'plain', a codec or a mapping"
        )
    if isinstance(encoding, Mapping):
        mode = encoding.get("mode", "plain")
        if mode == "plain":
            return PlainCodec()
        if mode == "base64":
            return AlphabetBase64Codec(encoding.get("alphabet"))  # type: ignore[arg-type]
        if mode == "rsa":
            from ._rsa import RsaCodec

            key = encoding.get("publicKey", encoding.get("public_key"))
            return RsaCodec(key)
        raise KamiValidationError("encoding.mode", f"unknown encoding mode {mode!r}")
    if callable(getattr(encoding, "encode_value", None)) and callable(
        getattr(encoding, "decode_response", None)
    ):
        return encoding
    raise KamiValidationError("encoding", "encoding must be 'plain', a codec or a mapping with 'mode'")
