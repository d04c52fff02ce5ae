"""What the client's calls return: small frozen dataclasses, each with the decoded reply in ``raw``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from ._beijing import parse_date_time

Raw = Dict[str, Any]


@dataclass(frozen=True)
class LoginResult:
    """A verified card login. Keep ``statecode`` for the heartbeat."""

    id: Union[str, int]
    #: ``YYYY-MM-DD HH:mm:ss``, Beijing time.
    end_time: str
    #: Duration text: ``30天``, ``永久卡``, ``3次``.
    amount: str
    #: Seconds left (count cards: uses left − 1).
    available: float
    token: str
    #: Send this with every heartbeat.
    statecode: str
    safe_code: Optional[str]
    #: Server unix seconds.
    time: float
    #: Server minute, ``yyyyMMddHHmm`` Beijing time.
    date: str
    imei: str
    change: float
    #: Core data, hex as sent.
    core: str
    #: The card this session was opened with (the heartbeat's optional ``kami``; re-login).
    kami: str
    #: The sign text of the request (for apps that verify tokens themselves).
    sign_text: str = field(repr=False)
    recharge: Any = None
    use_time: Any = None
    raw: Raw = field(default_factory=dict, repr=False)

    @property
    def end_timestamp(self) -> Optional[int]:
        """``end_time`` as unix seconds (``None`` if the server sent something else)."""
        return parse_date_time(self.end_time)

    @property
    def core_text(self) -> Optional[str]:
        """``core`` decoded from hex as UTF-8 (``None`` when it is not)."""
        try:
            return bytes.fromhex(self.core).decode("utf-8")
        except ValueError:
            return None


@dataclass(frozen=True)
class HeartbeatResult:
    msg: str
    time: float
    date: str
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class QueryResult:
    id: Union[str, int, None]
    state: Any
    use: Any
    use_time: Any
    end_time: Optional[str]
    amount: Optional[str]
    available: Optional[float]
    #: Sessions of the card online now (``line``); None when the server does not report it.
    line: Optional[int] = None
    #: When an online session was last seen (``line_time``, Beijing ``YYYY-MM-DD HH:mm:ss``;
    #: ``''`` when none is online); None when the server does not report it.
    line_time: Optional[str] = None
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class MessageResult:
    msg: str
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class VersionResult:
    #: The version number (``msg``, what t3sdk reads).
    version: str
    #: The display name (``ver``), when the server sends one.
    name: Optional[str] = None
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CheckUpdateResult:
    """``latest`` is true when the server says the given version is current (``msg`` then says so);
    otherwise ``version``, ``uplog`` and ``upurl`` describe the update."""

    latest: bool
    msg: str = ""
    version: str = ""
    uplog: str = ""
    upurl: str = ""
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CoreResult:
    """Core data (核心数据) of a card or an account, as the server stores it."""

    core: str
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CountResult:
    """How many cards (or accounts) of the app have a live session."""

    count: int
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class AppSignResult:
    #: ``签名一致``.
    msg: str
    #: The signature the server matched.
    autograph: str
    #: Server unix seconds, when sent.
    time: Optional[float]
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class VariableResult:
    """A cloud variable's (云变量) current value."""

    value: str
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CloudDocResult:
    """The app's cloud document (云文档): ``content`` is the reply's ``msg``."""

    content: str
    raw: Raw = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class UserLoginResult:
    """A verified account login (账号模式). Keep ``statecode`` for ``user_heartbeat``."""

    id: Union[str, int]
    #: ``YYYY-MM-DD HH:mm:ss``, Beijing time.
    end_time: str
    token: str
    statecode: str
    #: Server unix seconds.
    time: float
    #: Server minute, ``yyyyMMddHHmm`` Beijing time.
    date: str
    #: Cards recharged into the account so far.
    recharge: float
    #: First login, ``YYYY-MM-DD HH:mm:ss``.
    use_time: str
    #: Seconds left, or uses left when the account logs in by uses.
    available: float
    imei: str
    change: float
    #: Core data, as stored.
    core: str
    #: The account this session was opened with.
    user: str
    #: The sign text of the request (for apps that verify tokens themselves).
    sign_text: str = field(repr=False)
    raw: Raw = field(default_factory=dict, repr=False)

    @property
    def end_timestamp(self) -> Optional[int]:
        """``end_time`` as unix seconds (``None`` if the server sent something else)."""
        return parse_date_time(self.end_time)


@dataclass(frozen=True)
class CardListResult:
    cards: List[Dict[str, Any]]
    total: Optional[int]
    raw: Any = field(default=None, repr=False)
