"""The T3 RSA mode: values encrypted with the app's public key (RSAES-PKCS1-v1_5, via
``cryptography``); replies "encrypted" by the server with its private key (type-1 padding), which
the client recovers with ``c^e mod n`` — protocol math, not a library operation."""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ._codecs import CodecError
from ._errors import KamiValidationError

# PKCS#1 v1.5 takes 11 bytes of every block for its padding.
_PADDING_OVERHEAD = 11


def load_public_key(key: object) -> rsa.RSAPublicKey:
    """An RSA public key from PEM (``BEGIN PUBLIC KEY`` or ``BEGIN RSA PUBLIC KEY``), bare base64 DER,
    DER bytes, or a ``cryptography`` key object."""
    if isinstance(key, rsa.RSAPublicKey):
        return key
    try:
        if isinstance(key, str):
            text = key.strip()
            if text.startswith("-----BEGIN"):
                loaded = serialization.load_pem_public_key(text.encode("ascii"))
            else:
                loaded = serialization.load_der_public_key(
                    base64.b64decode("".join(text.split()), validate=True)
                )
        elif isinstance(key, (bytes, bytearray)):
            data = bytes(key)
            loaded = (
                serialization.load_pem_public_key(data)
                if data.lstrip().startswith(b"-----BEGIN")
                else serialization.load_der_public_key(data)
            )
        else:
            raise TypeError(type(key).__name__)
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError) as error:
        raise KamiValidationError(
            "encoding.publicKey", f"not an RSA public key (PEM or base64 DER): {error}"
        ) from error
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise KamiValidationError("encoding.publicKey", "the public key is not an RSA key")
    return loaded


def recover_type1(body: str, n: int, e: int) -> bytes:
    """Recovers a server reply: base64 → k-byte blocks → ``c^e mod n`` → strip ``00 01 FF.. 00``."""
    k = (n.bit_length() + 7) // 8
    try:
        data = base64.b64decode("".join(body.split()), validate=True)
    except binascii.Error as error:
        raise CodecError(f"not base64: {error}") from error
    if not data or len(data) % k:
        raise CodecError("the body is not whole RSA blocks")
    out = bytearray()
    for start in range(0, len(data), k):
        c = int.from_bytes(data[start : start + k], "big")
        if c >= n:
            raise CodecError("an RSA block is not below the modulus")
        out += _strip_type1(pow(c, e, n).to_bytes(k, "big"))
    return bytes(out)


def _strip_type1(em: bytes) -> bytes:
    if em[0] != 0 or em[1] != 1:
        raise CodecError("bad PKCS#1 type-1 padding")
    separator = em.find(b"\x00", 2)
    # At least 8 bytes of 0xFF, and nothing but 0xFF before the separator.
    if separator < 10 or em[2:separator].strip(b"\xff"):
        raise CodecError("bad PKCS#1 type-1 padding")
    return em[separator + 1 :]


class RsaCodec:
    """Client side of the RSA mode: needs only the app's public key."""

    mode = "rsa"

    def __init__(self, public_key: object) -> None:
        self._key = load_public_key(public_key)
        numbers = self._key.public_numbers()
        self._n, self._e = numbers.n, numbers.e
        self._chunk = self._key.key_size // 8 - _PADDING_OVERHEAD

    def encode_value(self, value: str) -> str:
        data = value.encode("utf-8")
        # An empty value is still one (empty) block.
        chunks = [data[i : i + self._chunk] for i in range(0, len(data), self._chunk)] or [b""]
        return b"".join(self._key.encrypt(chunk, padding.PKCS1v15()) for chunk in chunks).hex().upper()

    def decode_response(self, body: str) -> str:
        try:
            return recover_type1(body, self._n, self._e).decode("utf-8")
        except UnicodeDecodeError as error:
            raise CodecError("the decrypted reply is not UTF-8") from error

    def __repr__(self) -> str:
        return f"RsaCodec(key_size={self._key.key_size})"
