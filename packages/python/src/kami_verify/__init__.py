"""Kami Verify: card-key (卡密) licensing for Python — sync and async clients for the T3 protocol
family and potatocloud card management, with verified logins and a managed heartbeat."""

from ._beijing import PERMANENT_END_TIME, format_date_time, format_minute, parse_date_time
from ._client import AsyncClient, Client
from ._codecs import AlphabetBase64Codec, Codec, CodecError, PlainCodec
from ._endpoints import ENDPOINTS, Endpoint
from ._errors import (
    KamiApiError,
    KamiConnectionError,
    KamiError,
    KamiRateLimitError,
    KamiResponseError,
    KamiTimeoutError,
    KamiValidationError,
    KamiVerificationError,
)
from ._heartbeat import AsyncHeartbeat, Heartbeat
from ._heartbeat_policy import (
    DEFINITIVE_HEARTBEAT_CODES,
    BeatInfo,
    HeartbeatEnd,
    LostInfo,
    TransientErrorInfo,
    is_definitive_heartbeat_error,
)
from ._machine_code import MACHINE_CODE_ENV, get_machine_code, resolve_machine_code
from ._protocol import PotatoOptions
from ._results import (
    AppSignResult,
    CardListResult,
    CheckUpdateResult,
    CloudDocResult,
    CoreResult,
    CountResult,
    HeartbeatResult,
    LoginResult,
    MessageResult,
    QueryResult,
    UserLoginResult,
    VariableResult,
    VersionResult,
)
from ._rsa import RsaCodec
from ._token import compute_login_token, compute_statecode
from ._version import __version__

__all__ = [
    "DEFINITIVE_HEARTBEAT_CODES",
    "ENDPOINTS",
    "MACHINE_CODE_ENV",
    "PERMANENT_END_TIME",
    "AlphabetBase64Codec",
    "AppSignResult",
    "AsyncClient",
    "AsyncHeartbeat",
    "BeatInfo",
    "CardListResult",
    "CheckUpdateResult",
    "Client",
    "CloudDocResult",
    "Codec",
    "CodecError",
    "CoreResult",
    "CountResult",
    "Endpoint",
    "Heartbeat",
    "HeartbeatEnd",
    "HeartbeatResult",
    "KamiApiError",
    "KamiConnectionError",
    "KamiError",
    "KamiRateLimitError",
    "KamiResponseError",
    "KamiTimeoutError",
    "KamiValidationError",
    "KamiVerificationError",
    "LoginResult",
    "LostInfo",
    "MessageResult",
    "PlainCodec",
    "PotatoOptions",
    "QueryResult",
    "RsaCodec",
    "TransientErrorInfo",
    "UserLoginResult",
    "VariableResult",
    "VersionResult",
    "__version__",
    "compute_login_token",
    "compute_statecode",
    "format_date_time",
    "format_minute",
    "get_machine_code",
    "is_definitive_heartbeat_error",
    "parse_date_time",
    "resolve_machine_code",
]
