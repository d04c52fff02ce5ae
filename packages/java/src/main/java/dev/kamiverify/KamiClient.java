package dev.kamiverify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A client for one Kami Verify app (T3 family). Immutable and thread safe: build one per app with
 * {@link #builder(String, String)} and share it. Every call has a blocking form that throws
 * {@link KamiException}, and an {@code ...Async} form returning a {@link CompletableFuture}
 * (cancelling the future interrupts the waiting thread).
 */
public final class KamiClient {
  /** Per-attempt timeout default: 10 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /** Retries of idempotent calls after every host failed transiently: 2. */
  public static final int DEFAULT_MAX_RETRIES = 2;
  /** Largest allowed |reply time − local time|: 5 s. */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofSeconds(5);

  /** Which login token formula is accepted. */
  public enum TokenCheck {
    /** Either formula (default). */
    AUTO,
    /** md5(id + APPKEY + end_time + date) only. */
    BASIC,
    /** md5(id + APPKEY + signText + end_time + date) only (two-way signature). */
    SIGNED,
    /** Skip token, statecode and safe_code checks (the clock check stays). */
    OFF
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ExecutorService DEFAULT_EXECUTOR = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "kami-verify-async");
    t.setDaemon(true);
    return t;
  });

  private final List<String> hosts;
  private final String appKey;
  private final Map<Endpoint, String> routes;
  private final Encoding encoding;
  private final Codec codec;
  private final Transport transport;
  private final Duration timeout;
  private final int maxRetries;
  private final Duration maxClockSkew;
  private final TokenCheck tokenCheck;
  private final String successCode;
  private final Clock clock;
  private final ExecutorService executor;
  private final Supplier<String> safeCode;
  private final Rotation rotation;

  private KamiClient(Builder b) {
    this.hosts = Collections.unmodifiableList(new ArrayList<>(b.hosts));
    this.appKey = b.appKey;
    this.routes = Collections.unmodifiableMap(new EnumMap<>(b.routes));
    this.encoding = b.encoding;
    try {
      this.codec = b.encoding.codec();
    } catch (IllegalArgumentException e) {
      throw KamiException.validation("encoding", e.getMessage());
    }
    this.transport = b.transport != null ? b.transport : new HttpUrlConnectionTransport();
    this.timeout = b.timeout;
    this.maxRetries = b.maxRetries;
    this.maxClockSkew = b.maxClockSkew;
    this.tokenCheck = b.tokenCheck;
    this.successCode = b.successCode;
    this.clock = b.clock;
    this.executor = b.executor != null ? b.executor : DEFAULT_EXECUTOR;
    this.safeCode = b.safeCode != null ? b.safeCode : KamiClient::randomSafeCode;
    this.rotation = new Rotation(hosts, transport, timeout, maxRetries);
  }

  /**
   * A builder for the app at {@code baseUrl} with this APPKEY (never sent: it signs requests and
   * verifies tokens).
   */
  public static Builder builder(String baseUrl, String appKey) {
    return new Builder(baseUrl, appKey);
  }

  private static String randomSafeCode() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return Codec.hexUpper(b).toLowerCase(java.util.Locale.ROOT);
  }

  /** The encoding mode in use. */
  public Encoding encoding() { return encoding; }

  // ---------------------------------------------------------------- T3 endpoints

  /**
   * Logs a card in. The reply's clock, token (both formulas, from the reply's own date),
   * statecode and safe_code echo are checked before the result is returned. A login is never
   * resent once it may have reached a server.
   */
  public LoginResult login(String card, String machineCode) {
    requireNonEmpty("kami", card);
    validateImei(machineCode);
    String nonce = safeCode.get();
    Reply r = callOk(Endpoint.LOGIN, Param.of("kami", card), Param.of("imei", machineCode), Param.of("safe_code", nonce));
    requireFields(r, "id", "end_time", "token", "statecode", "time", "date");
    checkClockSkew(r.get("time"));
    if (tokenCheck != TokenCheck.OFF) {
      verifyLogin(r, nonce);
    }
    return new LoginResult(r, card, machineCode);
  }

  /** Renews a statecode; {@code card} may be null (the optional kami field). Retried and failed over. */
  public Result heartbeat(String statecode, String card) {
    requireNonEmpty("statecode", statecode);
    List<Param> params = new ArrayList<>();
    // The catalogue's send order (t3sdk's): kami first when sent.
    if (card != null && !card.isEmpty()) {
      params.add(Param.of("kami", card));
    }
    params.add(Param.of("statecode", statecode));
    Reply r = callOk(Endpoint.HEARTBEAT, params.toArray(new Param[0]));
    requireFields(r, "time");
    checkClockSkew(r.get("time"));
    return new Result(r, false);
  }

  /** Reads a card's state. */
  public Result query(String card) {
    requireNonEmpty("kami", card);
    return new Result(callOk(Endpoint.QUERY, Param.of("kami", card)), false);
  }

  /** Releases a card from a machine code. Never resent once it may have reached a server. */
  public Result unbind(String card, String machineCode) {
    requireNonEmpty("kami", card);
    validateImei(machineCode);
    return new Result(callOk(Endpoint.UNBIND, Param.of("kami", card), Param.of("imei", machineCode)), false);
  }

  /** The app's notice. */
  public Result notice() {
    return new Result(callOk(Endpoint.NOTICE), false);
  }

  /** The app's current version: {@link Result#version()} (msg, the number), {@link Result#name()} (ver). */
  public Result version() {
    Reply r = callOk(Endpoint.VERSION);
    if (!r.has("ver") && !r.has("version") && !r.has("msg")) {
      throw KamiException.missingField("ver");
    }
    return new Result(r, false);
  }

  /** Whether {@code currentVersion} is the latest; {@link Result#latest()} says. */
  public Result checkUpdate(String currentVersion) {
    requireNonEmpty("ver", currentVersion);
    Reply r = call(Endpoint.CHECK_UPDATE, Param.of("ver", currentVersion));
    // 201 means "already latest", but servers also use 201 for errors: a known error text wins.
    if (r.text("code").equals("201") && !ErrorCodes.forT3Message(r.text("msg")).isPresent()) {
      return new Result(r, true);
    }
    if (!succeeded(r)) {
      throw apiError(r);
    }
    return new Result(r, false);
  }

  // ---------------------------------------------------------------- cards and app data

  /**
   * 云文档 (t3sdk {@code get_cloud_doc}): the app's document, {@link Result#content()}, for the
   * {@code token} of a live card or account login ({@link LoginResult#token()},
   * {@link UserLoginResult#token()}); token无效 (TOKEN_INVALID) once that session ended.
   */
  public Result cloudDoc(String token) {
    requireNonEmpty("token", token);
    return message(Endpoint.CLOUD_DOC, Param.of("token", token));
  }

  /**
   * 以卡充卡: the unused {@code sourceCard}'s term goes onto the activated {@code targetCard}; the
   * source is used up. Never resent once it may have reached a server.
   */
  public Result kamiRecharge(String targetCard, String sourceCard) {
    requireNonEmpty("target_kami", targetCard);
    requireNonEmpty("source_kami", sourceCard);
    return message(Endpoint.KAMI_RECHARGE, Param.of("target_kami", targetCard), Param.of("source_kami", sourceCard));
  }

  /** Clears the card's bound IP (IP解绑成功; 卡密未绑定IP when it has none). */
  public Result ipUnbind(String card) {
    requireNonEmpty("kami", card);
    return message(Endpoint.IP_UNBIND, Param.of("kami", card));
  }

  /** Disables the card; its sessions end. */
  public Result disable(String card) {
    requireNonEmpty("kami", card);
    return message(Endpoint.DISABLE, Param.of("kami", card));
  }

  /** The card's core data: {@link Result#core()}. */
  public Result getKamiCore(String card) {
    requireNonEmpty("kami", card);
    return message(Endpoint.GET_KAMI_CORE, Param.of("kami", card));
  }

  /** Replaces the card's core data ({@code core} may be empty; the app's coreMaxBytes caps it). */
  public Result modifyCore(String card, String core) {
    requireNonEmpty("kami", card);
    requireNonNull("core", core);
    return message(Endpoint.MODIFY_CORE, Param.of("kami", card), Param.of("core", core));
  }

  /**
   * 云变量: the value of variable {@code valueid} ({@link Result#value()}). Same as
   * {@code getVariable(card, valueid, "")}.
   */
  public Result getVariable(String card, String valueid) {
    return getVariable(card, valueid, "");
  }

  /**
   * 云变量 by id and/or name: a non-empty {@code valuename} must be the variable's name; with an
   * empty (or null) {@code valueid} the variable is looked up by name alone. Both fields are always
   * sent, as t3sdk does.
   */
  public Result getVariable(String card, String valueid, String valuename) {
    requireNonEmpty("kami", card);
    List<Param> params = new ArrayList<>();
    params.add(Param.of("kami", card));
    params.addAll(variableName(valueid, valuename));
    return message(Endpoint.GET_VARIABLE, params.toArray(new Param[0]));
  }

  /** Writes a client-writable variable ({@code valuecontent} may be empty). */
  public Result modifyVariable(String card, String valueid, String valuecontent) {
    requireNonEmpty("kami", card);
    requireNonEmpty("valueid", valueid);
    requireNonNull("valuecontent", valuecontent);
    return message(Endpoint.MODIFY_VARIABLE, Param.of("kami", card), Param.of("valueid", valueid),
        Param.of("valuecontent", valuecontent));
  }

  /** 统一心跳: renews any session (card or account) by its statecode alone. */
  public Result heartbeatAny(String statecode) {
    requireNonEmpty("statecode", statecode);
    return message(Endpoint.HEARTBEAT_ANY, Param.of("statecode", statecode));
  }

  /** Live card sessions of the app: {@link Result#count()}. */
  public Result onlineKami() {
    return count(Endpoint.ONLINE_KAMI);
  }

  /**
   * Whether {@code autograph} is one of the app's configured signatures (签名一致, else the
   * APP_SIGN_MISMATCH error); {@link Result#autograph()} is the one that matched.
   */
  public Result appSign(String autograph) {
    requireNonEmpty("autograph", autograph);
    return message(Endpoint.APP_SIGN, Param.of("autograph", autograph));
  }

  // ---------------------------------------------------------------- accounts (账号模式)

  /** 用户注册: a new account; {@code email} may be null and is only sent when non-empty. */
  public Result register(String user, String password, String email) {
    requireNonEmpty("user", user);
    requireNonEmpty("pass", password);
    List<Param> params = new ArrayList<>();
    params.add(Param.of("user", user));
    params.add(Param.of("pass", password));
    if (email != null && !email.isEmpty()) {
      params.add(Param.of("email", email));
    }
    return message(Endpoint.REGISTER, params.toArray(new Param[0]));
  }

  /** {@code register(user, password, null)}. */
  public Result register(String user, String password) {
    return register(user, password, null);
  }

  /**
   * 用户登录. The reply's clock, token (both formulas, from the reply's own date) and statecode are
   * checked exactly like a card login's before the result is returned. Never resent once it may
   * have reached a server.
   */
  public UserLoginResult userLogin(String user, String password, String machineCode) {
    requireNonEmpty("user", user);
    requireNonEmpty("pass", password);
    validateImei(machineCode);
    Reply r = callOk(Endpoint.USER_LOGIN, Param.of("user", user), Param.of("pass", password), Param.of("imei", machineCode));
    requireFields(r, "id", "end_time", "token", "statecode", "time", "date");
    checkClockSkew(r.get("time"));
    if (tokenCheck != TokenCheck.OFF) {
      verifyLogin(r, null);
    }
    return new UserLoginResult(r, user, machineCode);
  }

  /** 用户心跳: keeps an account session alive; the reply's clock is checked. */
  public Result userHeartbeat(String user, String password, String statecode) {
    requireNonEmpty("user", user);
    requireNonNull("pass", password);
    requireNonEmpty("statecode", statecode);
    Reply r = callOk(Endpoint.USER_HEARTBEAT, Param.of("user", user), Param.of("pass", password),
        Param.of("statecode", statecode));
    requireFields(r, "time");
    checkClockSkew(r.get("time"));
    return new Result(r, false);
  }

  /**
   * 用户充值: spends an unused card on the account. Never resent once it may have reached a server
   * (a lost reply would be answered 卡密已被使用).
   */
  public Result recharge(String user, String card) {
    requireNonEmpty("user", user);
    requireNonEmpty("card", card);
    return message(Endpoint.RECHARGE, Param.of("user", user), Param.of("card", card));
  }

  /** 修改密码: the account's sessions end. */
  public Result changePassword(String user, String oldPassword, String newPassword) {
    requireNonEmpty("user", user);
    requireNonEmpty("oldpass", oldPassword);
    requireNonEmpty("newpass", newPassword);
    return message(Endpoint.CHANGE_PASSWORD, Param.of("user", user), Param.of("oldpass", oldPassword),
        Param.of("newpass", newPassword));
  }

  /** 用户注销: deletes the account. */
  public Result userCancel(String user, String password) {
    requireNonEmpty("user", user);
    requireNonEmpty("pass", password);
    return message(Endpoint.USER_CANCEL, Param.of("user", user), Param.of("pass", password));
  }

  /** The account's core data: {@link Result#core()}. */
  public Result getUserCore(String user, String password) {
    requireNonEmpty("user", user);
    requireNonEmpty("pass", password);
    return message(Endpoint.GET_USER_CORE, Param.of("user", user), Param.of("pass", password));
  }

  /** Accounts of the app with a live session: {@link Result#count()}. */
  public Result onlineUser() {
    return count(Endpoint.ONLINE_USER);
  }

  // ---------------------------------------------------------------- card calls made with an account

  // t3sdk's *_user calls: the card routes (same 调用码, same idempotency) with user + pass in place
  // of kami, in the catalogue variants' send order.

  /**
   * 用户解绑设备: frees the account's bound device {@code machineCode} (counted toward the app's
   * unbind limit; 账号未绑定设备 when none is bound). Never resent once it may have reached a server.
   */
  public Result unbindUser(String user, String password, String machineCode) {
    List<Param> params = credentials(user, password);
    validateImei(machineCode);
    params.add(Param.of("imei", machineCode));
    return message(Endpoint.UNBIND, params.toArray(new Param[0]));
  }

  /** 用户IP解绑: clears the account's bound IP or region (账号未绑定IP when it has none). */
  public Result ipUnbindUser(String user, String password) {
    return message(Endpoint.IP_UNBIND, credentials(user, password).toArray(new Param[0]));
  }

  /** 禁用用户: the account disables itself; its sessions end and later calls get 账号被禁用. */
  public Result disableUser(String user, String password) {
    return message(Endpoint.DISABLE, credentials(user, password).toArray(new Param[0]));
  }

  /**
   * Replaces the account's core data ({@code core} may be empty; the app's coreMaxBytes caps it).
   * Read it back with {@link #getUserCore}.
   */
  public Result modifyCoreByUser(String user, String password, String core) {
    List<Param> params = credentials(user, password);
    requireNonNull("core", core);
    params.add(Param.of("core", core));
    return message(Endpoint.MODIFY_CORE, params.toArray(new Param[0]));
  }

  /**
   * 云变量 by account: the value of variable {@code valueid} ({@link Result#value()}). Same as
   * {@code getVariableByUser(user, password, valueid, "")}.
   */
  public Result getVariableByUser(String user, String password, String valueid) {
    return getVariableByUser(user, password, valueid, "");
  }

  /**
   * 云变量 by account, by id and/or name, as {@link #getVariable(String, String, String)}: a
   * non-empty {@code valuename} must be the variable's name; both fields are always sent. The
   * account needs a term left (账号未充值 when it never recharged).
   */
  public Result getVariableByUser(String user, String password, String valueid, String valuename) {
    List<Param> params = credentials(user, password);
    params.addAll(variableName(valueid, valuename));
    return message(Endpoint.GET_VARIABLE, params.toArray(new Param[0]));
  }

  /** Writes a client-writable variable, by account ({@code valuecontent} may be empty). */
  public Result modifyVariableByUser(String user, String password, String valueid, String valuecontent) {
    List<Param> params = credentials(user, password);
    requireNonEmpty("valueid", valueid);
    requireNonNull("valuecontent", valuecontent);
    params.add(Param.of("valueid", valueid));
    params.add(Param.of("valuecontent", valuecontent));
    return message(Endpoint.MODIFY_VARIABLE, params.toArray(new Param[0]));
  }

  /** user and pass, checked: the first fields of every account call. */
  private static List<Param> credentials(String user, String password) {
    requireNonEmpty("user", user);
    requireNonEmpty("pass", password);
    List<Param> params = new ArrayList<>();
    params.add(Param.of("user", user));
    params.add(Param.of("pass", password));
    return params;
  }

  /** valueid and valuename, null as empty; at least one non-empty (变量ID不可为空). */
  private static List<Param> variableName(String valueid, String valuename) {
    String id = valueid == null ? "" : valueid;
    String name = valuename == null ? "" : valuename;
    if (id.isEmpty() && name.isEmpty()) {
      throw KamiException.validation("valueid", "valueid or valuename must be non-empty (变量ID不可为空)");
    }
    return List.of(Param.of("valueid", id), Param.of("valuename", name));
  }

  private Result message(Endpoint endpoint, Param... params) {
    return new Result(callOk(endpoint, params), false);
  }

  /** online_kami / online_user: msg is a decimal count. */
  private Result count(Endpoint endpoint) {
    Reply r = callOk(endpoint);
    java.math.BigDecimal n = Json.number(r.get("msg"));
    if (r.has("msg") && (n == null || n.signum() < 0 || n.stripTrailingZeros().scale() > 0)) {
      throw KamiException.missingField("msg");
    }
    return new Result(r, false);
  }

  /** {@link #login} on the client's executor. */
  public CompletableFuture<LoginResult> loginAsync(String card, String machineCode) {
    return async(() -> login(card, machineCode));
  }

  /** {@link #heartbeat} on the client's executor. */
  public CompletableFuture<Result> heartbeatAsync(String statecode, String card) {
    return async(() -> heartbeat(statecode, card));
  }

  /** {@link #query} on the client's executor. */
  public CompletableFuture<Result> queryAsync(String card) {
    return async(() -> query(card));
  }

  /** {@link #unbind} on the client's executor. */
  public CompletableFuture<Result> unbindAsync(String card, String machineCode) {
    return async(() -> unbind(card, machineCode));
  }

  /** {@link #notice} on the client's executor. */
  public CompletableFuture<Result> noticeAsync() {
    return async(this::notice);
  }

  /** {@link #version} on the client's executor. */
  public CompletableFuture<Result> versionAsync() {
    return async(this::version);
  }

  /** {@link #checkUpdate} on the client's executor. */
  public CompletableFuture<Result> checkUpdateAsync(String currentVersion) {
    return async(() -> checkUpdate(currentVersion));
  }

  /** {@link #cloudDoc} on the client's executor. */
  public CompletableFuture<Result> cloudDocAsync(String token) {
    return async(() -> cloudDoc(token));
  }

  /** {@link #kamiRecharge} on the client's executor. */
  public CompletableFuture<Result> kamiRechargeAsync(String targetCard, String sourceCard) {
    return async(() -> kamiRecharge(targetCard, sourceCard));
  }

  /** {@link #ipUnbind} on the client's executor. */
  public CompletableFuture<Result> ipUnbindAsync(String card) {
    return async(() -> ipUnbind(card));
  }

  /** {@link #disable} on the client's executor. */
  public CompletableFuture<Result> disableAsync(String card) {
    return async(() -> disable(card));
  }

  /** {@link #getKamiCore} on the client's executor. */
  public CompletableFuture<Result> getKamiCoreAsync(String card) {
    return async(() -> getKamiCore(card));
  }

  /** {@link #modifyCore} on the client's executor. */
  public CompletableFuture<Result> modifyCoreAsync(String card, String core) {
    return async(() -> modifyCore(card, core));
  }

  /** {@link #getVariable(String, String, String)} on the client's executor. */
  public CompletableFuture<Result> getVariableAsync(String card, String valueid, String valuename) {
    return async(() -> getVariable(card, valueid, valuename));
  }

  /** {@link #modifyVariable} on the client's executor. */
  public CompletableFuture<Result> modifyVariableAsync(String card, String valueid, String valuecontent) {
    return async(() -> modifyVariable(card, valueid, valuecontent));
  }

  /** {@link #heartbeatAny} on the client's executor. */
  public CompletableFuture<Result> heartbeatAnyAsync(String statecode) {
    return async(() -> heartbeatAny(statecode));
  }

  /** {@link #onlineKami} on the client's executor. */
  public CompletableFuture<Result> onlineKamiAsync() {
    return async(this::onlineKami);
  }

  /** {@link #appSign} on the client's executor. */
  public CompletableFuture<Result> appSignAsync(String autograph) {
    return async(() -> appSign(autograph));
  }

  /** {@link #register(String, String, String)} on the client's executor. */
  public CompletableFuture<Result> registerAsync(String user, String password, String email) {
    return async(() -> register(user, password, email));
  }

  /** {@link #userLogin} on the client's executor. */
  public CompletableFuture<UserLoginResult> userLoginAsync(String user, String password, String machineCode) {
    return async(() -> userLogin(user, password, machineCode));
  }

  /** {@link #userHeartbeat} on the client's executor. */
  public CompletableFuture<Result> userHeartbeatAsync(String user, String password, String statecode) {
    return async(() -> userHeartbeat(user, password, statecode));
  }

  /** {@link #recharge} on the client's executor. */
  public CompletableFuture<Result> rechargeAsync(String user, String card) {
    return async(() -> recharge(user, card));
  }

  /** {@link #changePassword} on the client's executor. */
  public CompletableFuture<Result> changePasswordAsync(String user, String oldPassword, String newPassword) {
    return async(() -> changePassword(user, oldPassword, newPassword));
  }

  /** {@link #userCancel} on the client's executor. */
  public CompletableFuture<Result> userCancelAsync(String user, String password) {
    return async(() -> userCancel(user, password));
  }

  /** {@link #getUserCore} on the client's executor. */
  public CompletableFuture<Result> getUserCoreAsync(String user, String password) {
    return async(() -> getUserCore(user, password));
  }

  /** {@link #onlineUser} on the client's executor. */
  public CompletableFuture<Result> onlineUserAsync() {
    return async(this::onlineUser);
  }

  /** {@link #unbindUser} on the client's executor. */
  public CompletableFuture<Result> unbindUserAsync(String user, String password, String machineCode) {
    return async(() -> unbindUser(user, password, machineCode));
  }

  /** {@link #ipUnbindUser} on the client's executor. */
  public CompletableFuture<Result> ipUnbindUserAsync(String user, String password) {
    return async(() -> ipUnbindUser(user, password));
  }

  /** {@link #disableUser} on the client's executor. */
  public CompletableFuture<Result> disableUserAsync(String user, String password) {
    return async(() -> disableUser(user, password));
  }

  /** {@link #modifyCoreByUser} on the client's executor. */
  public CompletableFuture<Result> modifyCoreByUserAsync(String user, String password, String core) {
    return async(() -> modifyCoreByUser(user, password, core));
  }

  /** {@link #getVariableByUser(String, String, String, String)} on the client's executor. */
  public CompletableFuture<Result> getVariableByUserAsync(String user, String password, String valueid,
      String valuename) {
    return async(() -> getVariableByUser(user, password, valueid, valuename));
  }

  /** {@link #modifyVariableByUser} on the client's executor. */
  public CompletableFuture<Result> modifyVariableByUserAsync(String user, String password, String valueid,
      String valuecontent) {
    return async(() -> modifyVariableByUser(user, password, valueid, valuecontent));
  }

  /**
   * Starts a managed heartbeat for this login; see {@link Heartbeat.Options}. Close the returned
   * handle (or use try-with-resources) to stop it.
   */
  public Heartbeat startHeartbeat(LoginResult login, Heartbeat.Options options, HeartbeatListener listener) {
    return new Heartbeat(this, login, options, listener);
  }

  private <T> CompletableFuture<T> async(Supplier<T> task) {
    CompletableFuture<T> future = new CompletableFuture<>();
    java.util.concurrent.Future<?> running = executor.submit(() -> {
      if (future.isDone()) {
        return;
      }
      try {
        future.complete(task.get());
      } catch (Throwable t) {
        future.completeExceptionally(t);
      }
    });
    // Cancelling the future interrupts the call (HttpURLConnection reads are then abandoned).
    future.whenComplete((v, e) -> {
      if (future.isCancelled()) {
        running.cancel(true);
      }
    });
    return future;
  }

  // ---------------------------------------------------------------- generic call

  /**
   * Signs and sends any T3-family endpoint with its parameters in order (t and s are added), with
   * failover, and returns the decoded reply whatever its code.
   */
  public Reply call(Endpoint endpoint, Param... params) {
    String route = routes.get(endpoint);
    if (route == null || route.isEmpty()) {
      throw KamiException.validation("routes." + endpoint.key(), "no route configured for " + endpoint.key());
    }
    if (!route.startsWith("/")) {
      route = "/" + route;
    }
    Protocol.Signed signed;
    try {
      signed = Protocol.sign(Arrays.asList(params), appKey, codec, clock.millis() / 1000);
    } catch (IllegalArgumentException e) {
      throw KamiException.validation(endpoint.key(), "a value cannot be encoded: " + e.getMessage());
    }
    byte[] body = Protocol.formBody(signed.fields).getBytes(StandardCharsets.US_ASCII);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-www-form-urlencoded");
    Transport.Response resp = rotation.send(endpoint.idempotent(), route, r -> headers, body);
    return new Reply(decodeBody(resp), resp.status, signed.signText, resp.header("Retry-After"));
  }

  private Reply callOk(Endpoint endpoint, Param... params) {
    Reply r = call(endpoint, params);
    if (!succeeded(r)) {
      throw apiError(r);
    }
    return r;
  }

  private boolean succeeded(Reply r) {
    return r.has("code") && r.text("code").equals(successCode);
  }

  /** Retry-After: seconds or an HTTP date, never negative; null when absent or unreadable. */
  static Duration parseRetryAfter(String value) {
    if (value == null || value.trim().isEmpty()) {
      return null;
    }
    String v = value.trim();
    try {
      double seconds = Double.parseDouble(v);
      if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
        return null;
      }
      return Duration.ofMillis((long) (Math.max(0, Math.min(seconds, 1e9)) * 1000));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(java.time.Instant.now(), at.toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (java.time.DateTimeException e2) {
        return null;
      }
    }
  }

  /**
   * A plain JSON body is accepted in every mode (some errors are raised before the server knows
   * the app's codec); an alphabet may contain '{', so a brace only wins when the body parses.
   */
  private ObjectNode decodeBody(Transport.Response resp) {
    String raw = new String(resp.body, StandardCharsets.UTF_8).trim();
    JsonNode parsed = raw.startsWith("{") ? Json.parse(raw) : null;
    if (parsed == null) {
      String text = raw;
      if (!codec.mode().equals("plain")) {
        try {
          text = codec.decodeResponse(raw);
        } catch (IllegalArgumentException e) {
          if (resp.status >= 400) {
            throw KamiException.response(ErrorCodes.HTTP_ERROR, "HTTP " + resp.status, resp.status, e);
          }
          throw KamiException.response(ErrorCodes.RESPONSE_DECODE_FAILED,
              "响应解码失败: the body is not valid in this encoding mode", resp.status, e);
        }
      }
      parsed = Json.parse(text);
      if (parsed == null) {
        if (resp.status >= 400) {
          throw KamiException.response(ErrorCodes.HTTP_ERROR, "HTTP " + resp.status, resp.status, null);
        }
        throw KamiException.response(ErrorCodes.RESPONSE_INVALID_JSON, "响应不是有效的JSON格式", resp.status, null);
      }
    }
    if (!parsed.isObject()) {
      throw KamiException.response(ErrorCodes.RESPONSE_INVALID_JSON, "响应不是有效的JSON格式: expected an object",
          resp.status, null);
    }
    return (ObjectNode) parsed;
  }

  static KamiException apiError(Reply r) {
    if (!r.has("code")) {
      return KamiException.response(ErrorCodes.RESPONSE_MISSING_FIELD, "响应数据缺少必要字段: code", r.httpStatus(), null);
    }
    String msg = r.has("msg") ? r.text("msg") : r.text("message");
    String code = ErrorCodes.forT3(msg);
    Duration retryAfter = parseRetryAfter(r.retryAfterHeader());
    boolean rateLimited = r.httpStatus() == 429 || code.equals(ErrorCodes.RATE_LIMITED);
    return new KamiException(rateLimited ? KamiException.Kind.RATE_LIMIT : KamiException.Kind.API,
        rateLimited && code.equals(ErrorCodes.UNKNOWN_SERVER_ERROR) ? ErrorCodes.RATE_LIMITED : code,
        msg.isEmpty() ? "server error " + r.text("code") : msg, null, r.httpStatus(), msg, r.text("code"),
        retryAfter, KamiException.Phase.UNKNOWN);
  }

  private void verifyLogin(Reply r, String sentSafeCode) {
    String id = r.text("id");
    String endTime = r.text("end_time");
    String date = r.text("date");
    String token = r.text("token").toLowerCase(java.util.Locale.ROOT);
    boolean ok = tokenCheck != TokenCheck.SIGNED
        && Protocol.constantTimeEquals(Protocol.loginToken(id, appKey, "", endTime, date), token);
    if (!ok && tokenCheck != TokenCheck.BASIC) {
      ok = Protocol.constantTimeEquals(Protocol.loginToken(id, appKey, r.signText(), endTime, date), token);
    }
    if (!ok) {
      throw KamiException.verification(ErrorCodes.TOKEN_MISMATCH, "token校验失败: the reply was not produced with this APPKEY");
    }
    if (!Protocol.constantTimeEquals(Protocol.statecode(token, r.text("time")), r.text("statecode").toLowerCase(java.util.Locale.ROOT))) {
      throw KamiException.verification(ErrorCodes.STATECODE_MISMATCH, "statecode does not match md5(token + time)");
    }
    // user_login sends no nonce, so there is none to compare.
    if (sentSafeCode != null && (!r.has("safe_code") || !r.text("safe_code").equals(sentSafeCode))) {
      throw KamiException.verification(ErrorCodes.SAFE_CODE_MISMATCH, "safe_code was not echoed unchanged");
    }
  }

  private void checkClockSkew(JsonNode replyTime) {
    if (maxClockSkew.isNegative()) {
      return;
    }
    java.math.BigDecimal t = Json.number(replyTime);
    double local = clock.millis() / 1000.0;
    if (t == null || Math.abs(t.doubleValue() - local) > maxClockSkew.toMillis() / 1000.0) {
      throw KamiException.verification(ErrorCodes.CLOCK_SKEW, "时间戳校验失败: reply time " + Json.text(replyTime)
          + " is more than " + maxClockSkew + " from local " + (long) local);
    }
  }

  private static void requireFields(Reply r, String... names) {
    for (String name : names) {
      if (!r.has(name)) {
        throw KamiException.missingField(name);
      }
    }
  }

  private static void requireNonEmpty(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw KamiException.validation(field, field + " must be a non-empty string");
    }
  }

  private static void requireNonNull(String field, String value) {
    if (value == null) {
      throw KamiException.validation(field, field + " must be a string (it may be empty)");
    }
  }

  private static void validateImei(String imei) {
    requireNonEmpty("imei", imei);
    if (imei.indexOf('\'') >= 0) {
      throw KamiException.validation("imei", "imei must not contain ' (机器码不合法,因为存在'号)");
    }
  }

  Clock clock() { return clock; }

  /** Builds an immutable {@link KamiClient}. Not thread safe; the client it builds is. */
  public static final class Builder {
    private final List<String> hosts = new ArrayList<>();
    private final String appKey;
    private final Map<Endpoint, String> routes = new EnumMap<>(Endpoint.class);
    private Encoding encoding = Encoding.plain();
    private Transport transport;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;
    private TokenCheck tokenCheck = TokenCheck.AUTO;
    private String successCode = "200";
    private Clock clock = Clock.systemUTC();
    private ExecutorService executor;
    private Supplier<String> safeCode;

    private Builder(String baseUrl, String appKey) {
      addHost(baseUrl);
      if (appKey == null || appKey.isEmpty()) {
        throw KamiException.validation("appKey", "appKey must be a non-empty string");
      }
      this.appKey = appKey;
    }

    private void addHost(String url) {
      if (url == null || !url.matches("(?i)^https?://\\S+$")) {
        throw KamiException.validation("baseUrl", "\"" + url + "\" is not an http(s) URL");
      }
      hosts.add(url.replaceAll("/+$", ""));
    }

    /** Base URLs to fail over to, in order, after the first. */
    public Builder fallbackUrls(String... urls) {
      for (String u : urls) {
        addHost(u);
      }
      return this;
    }

    /** Where an endpoint lives: a 调用码 ({@code 813B2676E9690C89}) or a path starting with "/". */
    public Builder route(Endpoint endpoint, String route) {
      routes.put(Objects.requireNonNull(endpoint), Objects.requireNonNull(route));
      return this;
    }

    /**
     * Routes by key ({@code login}, {@code check_update}, ...), as the server's routes JSON has them.
     * The server names every endpoint of its catalogue; keys of endpoints this client does not call
     * are skipped.
     */
    public Builder routes(Map<String, String> byKey) {
      byKey.forEach((k, v) -> Endpoint.find(k).ifPresent(e -> route(e, v)));
      return this;
    }

    /** The app's value encoding. Default {@link Encoding#plain()}. */
    public Builder encoding(Encoding encoding) {
      this.encoding = Objects.requireNonNull(encoding);
      return this;
    }

    /** The HTTP transport. Default {@link HttpUrlConnectionTransport}. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport);
      return this;
    }

    /** Per-attempt timeout. Default {@link #DEFAULT_TIMEOUT}. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw KamiException.validation("timeout", "timeout must be positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** Retries of idempotent calls. Default {@link #DEFAULT_MAX_RETRIES}. */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw KamiException.validation("maxRetries", "maxRetries must not be negative");
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /** Largest |reply time − local time|; negative disables. Default {@link #DEFAULT_MAX_CLOCK_SKEW}. */
    public Builder maxClockSkew(Duration skew) {
      this.maxClockSkew = Objects.requireNonNull(skew);
      return this;
    }

    /** Token formula accepted. Default {@link TokenCheck#AUTO}. */
    public Builder tokenCheck(TokenCheck check) {
      this.tokenCheck = Objects.requireNonNull(check);
      return this;
    }

    /** The app's success code ("200" and 200 both count). Default "200". */
    public Builder successCode(String code) {
      if (code == null || code.isEmpty()) {
        throw KamiException.validation("successCode", "successCode must not be empty");
      }
      this.successCode = code;
      return this;
    }

    /** The local clock (t field, reply checks). Default the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Executor of the async calls. Default a shared pool of daemon threads. */
    public Builder executor(ExecutorService executor) {
      this.executor = Objects.requireNonNull(executor);
      return this;
    }

    /** safe_code nonce generator. Default 16 hex characters from SecureRandom. */
    public Builder safeCode(Supplier<String> safeCode) {
      this.safeCode = Objects.requireNonNull(safeCode);
      return this;
    }

    /** The client. Bad options fail here with a VALIDATION error, before any I/O. */
    public KamiClient build() {
      return new KamiClient(this);
    }
  }
}
