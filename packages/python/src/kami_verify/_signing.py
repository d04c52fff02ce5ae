"""T3 request signing: ``s = md5(k1=v1&...&t=T&APPKEY)`` over the values exactly as sent."""

from __future__ import annotations

import hashlib
from typing import List, NamedTuple, Sequence, Tuple
from urllib.parse import quote

from ._codecs import Codec

Fields = Sequence[Tuple[str, str]]

# encodeURIComponent's unreserved set: everything else (UTF-8 bytes) becomes %XX, space is %20.
_URI_COMPONENT_SAFE = "-_.!~*'()"


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def build_sign_text(fields: Fields, app_key: str) -> str:
    """``name=value&`` for every field but ``s``, in the order sent, then the APPKEY. Values raw."""
    return "".join(f"{name}={value}&" for name, value in fields if name != "s") + app_key


class SignedRequest(NamedTuple):
    #: The fields to send, in order, with ``t`` and ``s`` appended (all values encoded).
    fields: List[Tuple[str, str]]
    #: The pre-hash sign text; the two-way token formula includes it.
    sign_text: str


def sign_request(params: Fields, *, app_key: str, codec: Codec, timestamp: int) -> SignedRequest:
    """Encodes each value once, appends ``t``, signs exactly those values and appends ``s``."""
    fields = [(name, codec.encode_value(value)) for name, value in params]
    fields.append(("t", codec.encode_value(str(timestamp))))
    sign_text = build_sign_text(fields, app_key)
    fields.append(("s", codec.encode_value(md5_hex(sign_text))))
    return SignedRequest(fields, sign_text)


def encode_form(fields: Fields) -> str:
    """``application/x-www-form-urlencoded`` body, percent-encoded like ``encodeURIComponent``."""
    return "&".join(
        f"{quote(name, safe=_URI_COMPONENT_SAFE)}={quote(value, safe=_URI_COMPONENT_SAFE)}"
        for name, value in fields
    )
