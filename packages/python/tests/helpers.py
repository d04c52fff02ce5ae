"""Test helpers: the spec vectors, the RSA test key's private half, a fake driver for operations."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kami_verify._protocol import Op
from kami_verify._wire import Call, HttpResponse

REPO_ROOT = Path(__file__).resolve().parents[3]
VECTORS = REPO_ROOT / "spec" / "vectors"


def vector(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def private_key() -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(
        vector("rsa-test-key.json")["privateKeyPkcs8Pem"].encode(), password=None
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def rsa_decrypt_hex(ciphertext_hex: str, key: Optional[rsa.RSAPrivateKey] = None) -> str:
    """The server side of a request value: k-byte blocks, each PKCS#1 v1.5 type 2."""
    key = key or private_key()
    data = bytes.fromhex(ciphertext_hex)
    k = key.key_size // 8
    assert len(data) % k == 0 and data
    return b"".join(key.decrypt(data[i : i + k], padding.PKCS1v15()) for i in range(0, len(data), k)).decode()


def rsa_server_encode(plaintext: str, key: Optional[rsa.RSAPrivateKey] = None) -> str:
    """The server side of a reply: 117-byte chunks, type-1 padding, m^d mod n, base64."""
    key = key or private_key()
    numbers = key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    k = key.key_size // 8
    data = plaintext.encode()
    chunks = [data[i : i + k - 11] for i in range(0, len(data), k - 11)] or [b""]
    out = b""
    for chunk in chunks:
        em = b"\x00\x01" + b"\xff" * (k - 3 - len(chunk)) + b"\x00" + chunk
        out += pow(int.from_bytes(em, "big"), d, n).to_bytes(k, "big")
    return base64.b64encode(out).decode()


def drive(op: Op[Any], respond: Callable[[Call], HttpResponse], calls: Optional[List[Call]] = None) -> Any:
    """Runs an operation against a function that answers each call (no network)."""
    try:
        call = next(op)
        while True:
            if calls is not None:
                calls.append(call)
            call = op.send(respond(call))
    except StopIteration as done:
        return done.value


def json_response(
    body: Dict[str, Any], status: int = 200, headers: Optional[Dict[str, str]] = None
) -> HttpResponse:
    return HttpResponse(status, headers or {}, json.dumps(body, ensure_ascii=False))
