"""``Client`` and ``AsyncClient``: the same operations (``_protocol``), the same failover plan
(``_failover``) and the same heartbeat schedule, each driven by its own thin transport."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, TypeVar, Union, cast

import anyio
import httpx

from ._codecs import EncodingOption
from ._errors import KamiConnectionError
from ._failover import Sleep
from ._heartbeat import AsyncHeartbeat, Heartbeat
from ._heartbeat_policy import (
    Beat,
    BeatListener,
    ErrorListener,
    HeartbeatSchedule,
    LostListener,
    Outcome,
    Relogin,
    ReloginListener,
    is_definitive_heartbeat_error,
)
from ._http import AsyncTransport, SyncTransport
from ._protocol import (
    DEFAULT_MAX_CLOCK_SKEW,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    CallOptions,
    Op,
    PotatoOptions,
    Protocol,
)
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
from ._wire import Call, HttpResponse

T = TypeVar("T")


class _Base:
    """Options shared by both clients; documented on :class:`Client`."""

    def __init__(
        self,
        base_url: Union[str, Sequence[str]],
        *,
        app_key: str,
        routes: Mapping[str, str],
        encoding: EncodingOption = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        verify_token: Union[str, bool] = "auto",
        success_code: Union[str, int] = 200,
        clock: Callable[[], float] = time.time,
        safe_code_factory: Optional[Callable[[], str]] = None,
        potato: Optional[PotatoOptions] = None,
    ) -> None:
        self._protocol = Protocol(
            base_url=base_url,
            app_key=app_key,
            routes=routes,
            encoding=encoding,
            timeout=timeout,
            max_retries=max_retries,
            max_clock_skew=max_clock_skew,
            verify_token=verify_token,
            success_code=success_code,
            clock=clock,
            safe_code_factory=safe_code_factory,
            potato=potato,
        )

    @property
    def hosts(self) -> Sequence[str]:
        return self._protocol.rotation.hosts

    def __repr__(self) -> str:
        # The APPKEY and credentials never appear here.
        return f"{type(self).__name__}(base_url={list(self.hosts)!r}, encoding={self._protocol.codec.mode!r})"

    def _beat_call(
        self, action: Union[Beat, Relogin], session: Optional[LoginResult], timeout: Optional[float]
    ) -> Op[Any]:
        # The loop does its own backoff, so one round over the hosts per beat; never past the deadline.
        options = CallOptions(timeout=timeout, max_retries=0, deadline=action.deadline)
        if isinstance(action, Relogin):
            assert session is not None
            return self._protocol.login(session.kami, session.imei, options)
        return self._protocol.t3("heartbeat", {"statecode": action.statecode, "kami": action.kami}, options)


def _heartbeat_kwargs(
    validity_seconds: Optional[float],
    interval: Optional[float],
    relogin: bool,
    send_kami: bool,
    immediate: bool,
    initial_backoff: float,
    max_backoff: Optional[float],
    is_definitive: Callable[..., bool],
    on_beat: Optional[BeatListener],
    on_error: Optional[ErrorListener],
    on_lost: Optional[LostListener],
    on_relogin: Optional[ReloginListener],
) -> Dict[str, Any]:
    return dict(
        validity_seconds=validity_seconds,
        interval=interval,
        relogin=relogin,
        send_kami=send_kami,
        immediate=immediate,
        initial_backoff=initial_backoff,
        max_backoff=max_backoff,
        is_definitive=is_definitive,
        on_beat=on_beat,
        on_error=on_error,
        on_lost=on_lost,
        on_relogin=on_relogin,
    )


class Client(_Base):
    """A synchronous Kami Verify client with a keep-alive connection pool.

    :param base_url: one base URL, or several to fail over between (the first is preferred).
    :param app_key: the app's APPKEY: signs requests and verifies tokens; never sent.
    :param routes: each endpoint's 16-hex 调用码 (or a path starting with ``/``), keyed by the
        catalogue's endpoint names (``login``, ``heartbeat``, ``kami_recharge``, ``user_login``...;
        the TypeScript spelling ``kamiRecharge`` works too). Keys of endpoints this client does not
        call are skipped, so a server's whole route map can be passed as is.
    :param encoding: ``None``/``"plain"``, a codec (``AlphabetBase64Codec(alphabet)``,
        ``RsaCodec(public_key_pem)``), or a mapping ``{"mode": "base64", "alphabet": ...}`` /
        ``{"mode": "rsa", "publicKey": ...}``. Default plain.
    :param timeout: seconds per attempt. Default 10.
    :param max_retries: extra rounds over the hosts for idempotent calls after every host failed
        transiently. Default 2. A login, unbind or card creation is never resent once it may have
        reached a server.
    :param max_clock_skew: largest allowed ``|reply time − local time|`` in seconds. Default 5;
        ``float("inf")`` disables.
    :param verify_token: token formula to accept: ``"auto"`` (either; default), ``"basic"``,
        ``"signed"`` (two-way signatures), or ``False`` to skip the token, statecode and safe_code
        checks (the clock check stays).
    :param success_code: the app's success code. Default 200 (``"200"`` and ``200`` both count).
    :param clock: the local clock, unix seconds. Default ``time.time``.
    :param safe_code_factory: the nonce sent with each login. Default 16 random hex characters.
    :param potato: potatocloud credentials for the card-management calls.
    :param http_client: an ``httpx.Client`` to use (proxies, TLS settings); you then close it.
    """

    def __init__(
        self,
        base_url: Union[str, Sequence[str]],
        *,
        app_key: str,
        routes: Mapping[str, str],
        encoding: EncodingOption = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        verify_token: Union[str, bool] = "auto",
        success_code: Union[str, int] = 200,
        clock: Callable[[], float] = time.time,
        safe_code_factory: Optional[Callable[[], str]] = None,
        potato: Optional[PotatoOptions] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        super().__init__(
            base_url,
            app_key=app_key,
            routes=routes,
            encoding=encoding,
            timeout=timeout,
            max_retries=max_retries,
            max_clock_skew=max_clock_skew,
            verify_token=verify_token,
            success_code=success_code,
            clock=clock,
            safe_code_factory=safe_code_factory,
            potato=potato,
        )
        self._transport = SyncTransport(http_client)

    # -- the T3 family --------------------------------------------------------------------------

    def login(self, kami: str, imei: str, *, timeout: Optional[float] = None) -> LoginResult:
        """Card login. Verifies the clock skew, token, statecode and safe_code echo before returning."""
        return cast(LoginResult, self._drive(self._protocol.login(kami, imei, CallOptions(timeout=timeout))))

    def heartbeat(
        self, statecode: str, *, kami: Optional[str] = None, timeout: Optional[float] = None
    ) -> HeartbeatResult:
        """Keeps a session alive; send the statecode of the login (and optionally its card)."""
        return cast(HeartbeatResult, self.call("heartbeat", statecode=statecode, kami=kami, timeout=timeout))

    def query(self, kami: str, *, timeout: Optional[float] = None) -> QueryResult:
        return cast(QueryResult, self.call("query", kami=kami, timeout=timeout))

    def unbind(self, kami: str, imei: str, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, self.call("unbind", kami=kami, imei=imei, timeout=timeout))

    def notice(self, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, self.call("notice", timeout=timeout))

    def version(self, *, timeout: Optional[float] = None) -> VersionResult:
        return cast(VersionResult, self.call("version", timeout=timeout))

    def check_update(self, current_version: str, *, timeout: Optional[float] = None) -> CheckUpdateResult:
        return cast(CheckUpdateResult, self.call("check_update", ver=current_version, timeout=timeout))

    def kami_recharge(
        self, target_kami: str, source_kami: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        """以卡充卡: the source card's term goes onto the (activated) target card; the source is used up.
        Never resent after it may have reached a server."""
        return cast(
            MessageResult,
            self.call("kami_recharge", target_kami=target_kami, source_kami=source_kami, timeout=timeout),
        )

    def ip_unbind(self, kami: str, *, timeout: Optional[float] = None) -> MessageResult:
        """Clears the card's bound IP (IP解绑)."""
        return cast(MessageResult, self.call("ip_unbind", kami=kami, timeout=timeout))

    def disable(self, kami: str, *, timeout: Optional[float] = None) -> MessageResult:
        """Disables the card; its sessions end."""
        return cast(MessageResult, self.call("disable", kami=kami, timeout=timeout))

    def get_kami_core(self, kami: str, *, timeout: Optional[float] = None) -> CoreResult:
        """The card's core data (核心数据)."""
        return cast(CoreResult, self.call("get_kami_core", kami=kami, timeout=timeout))

    def modify_core(self, kami: str, core: str, *, timeout: Optional[float] = None) -> MessageResult:
        """Replaces the card's core data (may be empty)."""
        return cast(MessageResult, self.call("modify_core", kami=kami, core=core, timeout=timeout))

    def heartbeat_any(self, statecode: str, *, timeout: Optional[float] = None) -> HeartbeatResult:
        """统一心跳: renews any session (card or account) by its statecode alone; checks clock skew."""
        return cast(HeartbeatResult, self.call("heartbeat_any", statecode=statecode, timeout=timeout))

    def online_kami(self, *, timeout: Optional[float] = None) -> CountResult:
        """Cards of the app with a live session."""
        return cast(CountResult, self.call("online_kami", timeout=timeout))

    def app_sign(self, autograph: str, *, timeout: Optional[float] = None) -> AppSignResult:
        """Whether ``autograph`` is one of the app's signatures (else ``APP_SIGN_MISMATCH``)."""
        return cast(AppSignResult, self.call("app_sign", autograph=autograph, timeout=timeout))

    def cloud_doc(self, token: str, *, timeout: Optional[float] = None) -> CloudDocResult:
        """云文档: the app's document, for the ``token`` of a live card or account login (else
        ``TOKEN_INVALID``)."""
        return cast(CloudDocResult, self.call("cloud_doc", token=token, timeout=timeout))

    def get_variable(
        self,
        kami: str,
        valueid: Optional[str] = None,
        *,
        valuename: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> VariableResult:
        """云变量: the value of variable ``valueid``, or of the one named ``valuename`` (when both are
        given, the name must be that variable's)."""
        return cast(
            VariableResult,
            self.call("get_variable", kami=kami, valueid=valueid or "", valuename=valuename, timeout=timeout),
        )

    def modify_variable(
        self, kami: str, valueid: str, valuecontent: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        """Writes a client-writable cloud variable (else 变量不可修改)."""
        return cast(
            MessageResult,
            self.call(
                "modify_variable", kami=kami, valueid=valueid, valuecontent=valuecontent, timeout=timeout
            ),
        )

    def register(
        self, user: str, password: str, email: Optional[str] = None, *, timeout: Optional[float] = None
    ) -> MessageResult:
        """用户注册: a new account of the app; ``email`` is sent only when given. Never resent."""
        return cast(
            MessageResult,
            self.call("register", user=user, email=email or None, **{"pass": password}, timeout=timeout),
        )

    def user_login(
        self, user: str, password: str, imei: str, *, timeout: Optional[float] = None
    ) -> UserLoginResult:
        """用户登录. Verifies the clock skew, token (either formula) and statecode before returning.
        Never resent after it may have reached a server."""
        return cast(
            UserLoginResult,
            self.call("user_login", user=user, imei=imei, **{"pass": password}, timeout=timeout),
        )

    def user_heartbeat(
        self, user: str, password: str, statecode: str, *, timeout: Optional[float] = None
    ) -> HeartbeatResult:
        """用户心跳: keeps an account session alive; checks clock skew."""
        return cast(
            HeartbeatResult,
            self.call(
                "user_heartbeat", user=user, statecode=statecode, **{"pass": password}, timeout=timeout
            ),
        )

    def recharge(self, user: str, card: str, *, timeout: Optional[float] = None) -> MessageResult:
        """用户充值: an unused card's term goes onto the account. Never resent."""
        return cast(MessageResult, self.call("recharge", user=user, card=card, timeout=timeout))

    def change_password(
        self, user: str, old_password: str, new_password: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        """修改密码: the account's sessions end. Never resent."""
        return cast(
            MessageResult,
            self.call(
                "change_password", user=user, oldpass=old_password, newpass=new_password, timeout=timeout
            ),
        )

    def user_cancel(self, user: str, password: str, *, timeout: Optional[float] = None) -> MessageResult:
        """用户注销: deletes the account. Never resent."""
        return cast(MessageResult, self.call("user_cancel", user=user, **{"pass": password}, timeout=timeout))

    def get_user_core(self, user: str, password: str, *, timeout: Optional[float] = None) -> CoreResult:
        """The account's core data (核心数据)."""
        return cast(CoreResult, self.call("get_user_core", user=user, **{"pass": password}, timeout=timeout))

    def online_user(self, *, timeout: Optional[float] = None) -> CountResult:
        """Accounts of the app with a live session."""
        return cast(CountResult, self.call("online_user", timeout=timeout))

    # The card calls made with an account (t3sdk's *_user methods, on the card calls' 调用码).

    def unbind_user(
        self, user: str, password: str, imei: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        """用户解绑设备: frees the account's bound device ``imei`` (counted toward the unbind limit).
        Never resent after it may have reached a server."""
        return cast(
            MessageResult,
            self.call("unbind_user", user=user, imei=imei, **{"pass": password}, timeout=timeout),
        )

    def ip_unbind_user(self, user: str, password: str, *, timeout: Optional[float] = None) -> MessageResult:
        """用户IP解绑: clears the account's bound IP (else ``USER_IP_NOT_BOUND``)."""
        return cast(
            MessageResult, self.call("ip_unbind_user", user=user, **{"pass": password}, timeout=timeout)
        )

    def disable_user(self, user: str, password: str, *, timeout: Optional[float] = None) -> MessageResult:
        """禁用用户: the account disables itself; its sessions end."""
        return cast(
            MessageResult, self.call("disable_user", user=user, **{"pass": password}, timeout=timeout)
        )

    def modify_core_by_user(
        self, user: str, password: str, core: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        """Replaces the account's core data (may be empty; read it with :meth:`get_user_core`)."""
        return cast(
            MessageResult,
            self.call("modify_core_by_user", user=user, core=core, **{"pass": password}, timeout=timeout),
        )

    def get_variable_by_user(
        self,
        user: str,
        password: str,
        valueid: Optional[str] = None,
        *,
        valuename: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> VariableResult:
        """云变量 by account, as :meth:`get_variable` (the account needs time left)."""
        return cast(
            VariableResult,
            self.call(
                "get_variable_by_user",
                user=user,
                valueid=valueid or "",
                valuename=valuename,
                **{"pass": password},
                timeout=timeout,
            ),
        )

    def modify_variable_by_user(
        self, user: str, password: str, valueid: str, valuecontent: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        """Writes a client-writable cloud variable, by account (else 变量不可修改)."""
        return cast(
            MessageResult,
            self.call(
                "modify_variable_by_user",
                user=user,
                valueid=valueid,
                valuecontent=valuecontent,
                **{"pass": password},
                timeout=timeout,
            ),
        )

    def call(self, endpoint: str, *, timeout: Optional[float] = None, **params: Optional[str]) -> Any:
        """Any endpoint of the table by name, parameters by their wire names."""
        return self._drive(self._protocol.t3(endpoint, params, CallOptions(timeout=timeout)))

    # -- potatocloud --------------------------------------------------------------------------------

    def potato_login(self, user_number: Optional[str] = None, pass_word: Optional[str] = None) -> str:
        """``/api/login``: returns and keeps the ``apiUserToken``."""
        return self._drive(self._protocol.potato_login(user_number, pass_word))

    def create_card_my(self, type: int, total: int) -> List[Dict[str, Any]]:
        """``/api/createCardMy``: ``type`` 0–5 (天卡…永久卡), ``total`` 1–10."""
        return self._drive(self._protocol.create_card_my(type, total))

    def get_card_my_list(self, **query: Any) -> CardListResult:
        """``/api/getCardMyList`` with ``p``, ``s``, ``cardStr``, ``state``, ``type``."""
        return self._drive(self._protocol.get_card_my_list(query))

    # -- managed heartbeat --------------------------------------------------------------------------

    def start_heartbeat(
        self,
        session: Union[LoginResult, str],
        *,
        validity_seconds: Optional[float] = None,
        interval: Optional[float] = None,
        relogin: bool = False,
        send_kami: bool = True,
        immediate: bool = False,
        timeout: Optional[float] = None,
        initial_backoff: float = 1.0,
        max_backoff: Optional[float] = None,
        is_definitive: Callable[..., bool] = is_definitive_heartbeat_error,
        on_beat: Optional[BeatListener] = None,
        on_error: Optional[ErrorListener] = None,
        on_lost: Optional[LostListener] = None,
        on_relogin: Optional[ReloginListener] = None,
    ) -> Heartbeat:
        """Keeps ``session`` alive on a daemon thread (README: "Managed heartbeat").

        :param validity_seconds: the app's 登录状态码有效期: the beat interval defaults to half of it,
            and after this long without an answer the loop reports ``lost`` (``"outage"``).
        :param interval: seconds between beats (default ``validity_seconds / 2``, or 30).
        :param relogin: log in again (same card and machine code) when the server answers 状态码不存在.
        :param on_lost: ``(error, LostInfo)`` once when the session is over; the loop has stopped.
        """
        schedule = HeartbeatSchedule(
            session,
            **_heartbeat_kwargs(
                validity_seconds,
                interval,
                relogin,
                send_kami,
                immediate,
                initial_backoff,
                max_backoff,
                is_definitive,
                on_beat,
                on_error,
                on_lost,
                on_relogin,
            ),
        )

        def perform(action: Union[Beat, Relogin]) -> Outcome:
            return cast(Outcome, self._drive(self._beat_call(action, schedule.session, timeout)))

        return Heartbeat(schedule, perform)

    # -- plumbing ---------------------------------------------------------------------------------------

    def _drive(self, op: Op[T]) -> T:
        try:
            call = next(op)
            while True:
                call = op.send(self._send(call))
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            op.close()

    def _send(self, call: Call) -> HttpResponse:
        plan = self._protocol.rotation_for(call.family).plan(call)
        try:
            step = next(plan)
            while True:
                outcome: Union[HttpResponse, KamiConnectionError, None] = None
                if isinstance(step, Sleep):
                    time.sleep(step.seconds)
                else:
                    try:
                        outcome = self._transport.send(step)
                    except KamiConnectionError as error:
                        outcome = error
                step = plan.send(outcome)
        except StopIteration as done:
            return cast(HttpResponse, done.value)

    def close(self) -> None:
        """Closes the connection pool (not an ``http_client`` you passed in)."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncClient(_Base):
    """The ``async`` twin of :class:`Client`: same options, same methods, awaited. Cancelling the
    awaiting task cancels the request in flight."""

    def __init__(
        self,
        base_url: Union[str, Sequence[str]],
        *,
        app_key: str,
        routes: Mapping[str, str],
        encoding: EncodingOption = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        verify_token: Union[str, bool] = "auto",
        success_code: Union[str, int] = 200,
        clock: Callable[[], float] = time.time,
        safe_code_factory: Optional[Callable[[], str]] = None,
        potato: Optional[PotatoOptions] = None,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        super().__init__(
            base_url,
            app_key=app_key,
            routes=routes,
            encoding=encoding,
            timeout=timeout,
            max_retries=max_retries,
            max_clock_skew=max_clock_skew,
            verify_token=verify_token,
            success_code=success_code,
            clock=clock,
            safe_code_factory=safe_code_factory,
            potato=potato,
        )
        self._transport = AsyncTransport(http_client)

    async def login(self, kami: str, imei: str, *, timeout: Optional[float] = None) -> LoginResult:
        return cast(
            LoginResult, await self._drive(self._protocol.login(kami, imei, CallOptions(timeout=timeout)))
        )

    async def heartbeat(
        self, statecode: str, *, kami: Optional[str] = None, timeout: Optional[float] = None
    ) -> HeartbeatResult:
        return cast(
            HeartbeatResult, await self.call("heartbeat", statecode=statecode, kami=kami, timeout=timeout)
        )

    async def query(self, kami: str, *, timeout: Optional[float] = None) -> QueryResult:
        return cast(QueryResult, await self.call("query", kami=kami, timeout=timeout))

    async def unbind(self, kami: str, imei: str, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, await self.call("unbind", kami=kami, imei=imei, timeout=timeout))

    async def notice(self, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, await self.call("notice", timeout=timeout))

    async def version(self, *, timeout: Optional[float] = None) -> VersionResult:
        return cast(VersionResult, await self.call("version", timeout=timeout))

    async def check_update(
        self, current_version: str, *, timeout: Optional[float] = None
    ) -> CheckUpdateResult:
        return cast(CheckUpdateResult, await self.call("check_update", ver=current_version, timeout=timeout))

    async def kami_recharge(
        self, target_kami: str, source_kami: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult,
            await self.call(
                "kami_recharge", target_kami=target_kami, source_kami=source_kami, timeout=timeout
            ),
        )

    async def ip_unbind(self, kami: str, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, await self.call("ip_unbind", kami=kami, timeout=timeout))

    async def disable(self, kami: str, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, await self.call("disable", kami=kami, timeout=timeout))

    async def get_kami_core(self, kami: str, *, timeout: Optional[float] = None) -> CoreResult:
        return cast(CoreResult, await self.call("get_kami_core", kami=kami, timeout=timeout))

    async def modify_core(self, kami: str, core: str, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, await self.call("modify_core", kami=kami, core=core, timeout=timeout))

    async def heartbeat_any(self, statecode: str, *, timeout: Optional[float] = None) -> HeartbeatResult:
        return cast(HeartbeatResult, await self.call("heartbeat_any", statecode=statecode, timeout=timeout))

    async def online_kami(self, *, timeout: Optional[float] = None) -> CountResult:
        return cast(CountResult, await self.call("online_kami", timeout=timeout))

    async def app_sign(self, autograph: str, *, timeout: Optional[float] = None) -> AppSignResult:
        return cast(AppSignResult, await self.call("app_sign", autograph=autograph, timeout=timeout))

    async def cloud_doc(self, token: str, *, timeout: Optional[float] = None) -> CloudDocResult:
        return cast(CloudDocResult, await self.call("cloud_doc", token=token, timeout=timeout))

    async def get_variable(
        self,
        kami: str,
        valueid: Optional[str] = None,
        *,
        valuename: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> VariableResult:
        return cast(
            VariableResult,
            await self.call(
                "get_variable", kami=kami, valueid=valueid or "", valuename=valuename, timeout=timeout
            ),
        )

    async def modify_variable(
        self, kami: str, valueid: str, valuecontent: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult,
            await self.call(
                "modify_variable", kami=kami, valueid=valueid, valuecontent=valuecontent, timeout=timeout
            ),
        )

    async def register(
        self, user: str, password: str, email: Optional[str] = None, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult,
            await self.call(
                "register", user=user, email=email or None, **{"pass": password}, timeout=timeout
            ),
        )

    async def user_login(
        self, user: str, password: str, imei: str, *, timeout: Optional[float] = None
    ) -> UserLoginResult:
        return cast(
            UserLoginResult,
            await self.call("user_login", user=user, imei=imei, **{"pass": password}, timeout=timeout),
        )

    async def user_heartbeat(
        self, user: str, password: str, statecode: str, *, timeout: Optional[float] = None
    ) -> HeartbeatResult:
        return cast(
            HeartbeatResult,
            await self.call(
                "user_heartbeat", user=user, statecode=statecode, **{"pass": password}, timeout=timeout
            ),
        )

    async def recharge(self, user: str, card: str, *, timeout: Optional[float] = None) -> MessageResult:
        return cast(MessageResult, await self.call("recharge", user=user, card=card, timeout=timeout))

    async def change_password(
        self, user: str, old_password: str, new_password: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult,
            await self.call(
                "change_password", user=user, oldpass=old_password, newpass=new_password, timeout=timeout
            ),
        )

    async def user_cancel(
        self, user: str, password: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult, await self.call("user_cancel", user=user, **{"pass": password}, timeout=timeout)
        )

    async def get_user_core(self, user: str, password: str, *, timeout: Optional[float] = None) -> CoreResult:
        return cast(
            CoreResult, await self.call("get_user_core", user=user, **{"pass": password}, timeout=timeout)
        )

    async def online_user(self, *, timeout: Optional[float] = None) -> CountResult:
        return cast(CountResult, await self.call("online_user", timeout=timeout))

    async def unbind_user(
        self, user: str, password: str, imei: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult,
            await self.call("unbind_user", user=user, imei=imei, **{"pass": password}, timeout=timeout),
        )

    async def ip_unbind_user(
        self, user: str, password: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult, await self.call("ip_unbind_user", user=user, **{"pass": password}, timeout=timeout)
        )

    async def disable_user(
        self, user: str, password: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult, await self.call("disable_user", user=user, **{"pass": password}, timeout=timeout)
        )

    async def modify_core_by_user(
        self, user: str, password: str, core: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult,
            await self.call(
                "modify_core_by_user", user=user, core=core, **{"pass": password}, timeout=timeout
            ),
        )

    async def get_variable_by_user(
        self,
        user: str,
        password: str,
        valueid: Optional[str] = None,
        *,
        valuename: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> VariableResult:
        return cast(
            VariableResult,
            await self.call(
                "get_variable_by_user",
                user=user,
                valueid=valueid or "",
                valuename=valuename,
                **{"pass": password},
                timeout=timeout,
            ),
        )

    async def modify_variable_by_user(
        self, user: str, password: str, valueid: str, valuecontent: str, *, timeout: Optional[float] = None
    ) -> MessageResult:
        return cast(
            MessageResult,
            await self.call(
                "modify_variable_by_user",
                user=user,
                valueid=valueid,
                valuecontent=valuecontent,
                **{"pass": password},
                timeout=timeout,
            ),
        )

    async def call(self, endpoint: str, *, timeout: Optional[float] = None, **params: Optional[str]) -> Any:
        return await self._drive(self._protocol.t3(endpoint, params, CallOptions(timeout=timeout)))

    async def potato_login(self, user_number: Optional[str] = None, pass_word: Optional[str] = None) -> str:
        return await self._drive(self._protocol.potato_login(user_number, pass_word))

    async def create_card_my(self, type: int, total: int) -> List[Dict[str, Any]]:
        return await self._drive(self._protocol.create_card_my(type, total))

    async def get_card_my_list(self, **query: Any) -> CardListResult:
        return await self._drive(self._protocol.get_card_my_list(query))

    def start_heartbeat(
        self,
        session: Union[LoginResult, str],
        *,
        validity_seconds: Optional[float] = None,
        interval: Optional[float] = None,
        relogin: bool = False,
        send_kami: bool = True,
        immediate: bool = False,
        timeout: Optional[float] = None,
        initial_backoff: float = 1.0,
        max_backoff: Optional[float] = None,
        is_definitive: Callable[..., bool] = is_definitive_heartbeat_error,
        on_beat: Optional[BeatListener] = None,
        on_error: Optional[ErrorListener] = None,
        on_lost: Optional[LostListener] = None,
        on_relogin: Optional[ReloginListener] = None,
    ) -> AsyncHeartbeat:
        """Keeps ``session`` alive as an asyncio task (call it from a running event loop); options as
        :meth:`Client.start_heartbeat`. Callbacks are plain functions called on the loop."""
        schedule = HeartbeatSchedule(
            session,
            **_heartbeat_kwargs(
                validity_seconds,
                interval,
                relogin,
                send_kami,
                immediate,
                initial_backoff,
                max_backoff,
                is_definitive,
                on_beat,
                on_error,
                on_lost,
                on_relogin,
            ),
        )

        async def perform(action: Union[Beat, Relogin]) -> Outcome:
            return cast(Outcome, await self._drive(self._beat_call(action, schedule.session, timeout)))

        return AsyncHeartbeat(schedule, perform)

    async def _drive(self, op: Op[T]) -> T:
        try:
            call = next(op)
            while True:
                call = op.send(await self._send(call))
        except StopIteration as done:
            return cast(T, done.value)
        finally:
            op.close()

    async def _send(self, call: Call) -> HttpResponse:
        plan = self._protocol.rotation_for(call.family).plan(call)
        try:
            step = next(plan)
            while True:
                outcome: Union[HttpResponse, KamiConnectionError, None] = None
                if isinstance(step, Sleep):
                    await anyio.sleep(step.seconds)
                else:
                    try:
                        outcome = await self._transport.send(step)
                    except KamiConnectionError as error:
                        outcome = error
                step = plan.send(outcome)
        except StopIteration as done:
            return cast(HttpResponse, done.value)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
