package dev.kamiverify;

/**
 * The T3-family endpoints: the one table of endpoint properties, in the order of
 * {@code spec/catalogue/t3.json} (a conformance test holds it to the catalogue). {@link #key()} is
 * the routes key as the server and the catalogue spell it; idempotent endpoints are retried and
 * failed over freely, others are only resent when they provably never reached a server.
 */
public enum Endpoint {
  /** Card login. */
  LOGIN("login", false),
  /** Statecode renewal. */
  HEARTBEAT("heartbeat", true),
  /** Card query. */
  QUERY("query", true),
  /** Release a card from a machine. */
  UNBIND("unbind", false),
  /** Clear a card's bound IP. */
  IP_UNBIND("ip_unbind", true),
  /** Disable a card. */
  DISABLE("disable", true),
  /** 以卡充卡: one card's term onto another. */
  KAMI_RECHARGE("kami_recharge", false),
  /** A card's core data. */
  GET_KAMI_CORE("get_kami_core", true),
  /** Write a card's core data. */
  MODIFY_CORE("modify_core", true),
  /** Read a cloud variable (云变量). */
  GET_VARIABLE("get_variable", true),
  /** Write a cloud variable. */
  MODIFY_VARIABLE("modify_variable", true),
  /** 统一心跳: any session by its statecode. */
  HEARTBEAT_ANY("heartbeat_any", true),
  /** Live card sessions of the app. */
  ONLINE_KAMI("online_kami", true),
  /** The app's notice. */
  NOTICE("notice", true),
  /** The app's version. */
  VERSION("version", true),
  /** Update check. */
  CHECK_UPDATE("check_update", true),
  /** 云文档: the app's document, for the token of a live login. */
  CLOUD_DOC("cloud_doc", true),
  /** Whether a client signature is one of the app's. */
  APP_SIGN("app_sign", true),
  /** 用户注册. */
  REGISTER("register", false),
  /** 用户登录 (opens a session). */
  USER_LOGIN("user_login", false),
  /** 用户心跳. */
  USER_HEARTBEAT("user_heartbeat", true),
  /** 修改密码. */
  CHANGE_PASSWORD("change_password", false),
  /** 用户注销. */
  USER_CANCEL("user_cancel", false),
  /** 用户充值: a card spent on an account. */
  RECHARGE("recharge", false),
  /** An account's core data. */
  GET_USER_CORE("get_user_core", true),
  /** Accounts of the app with a live session. */
  ONLINE_USER("online_user", true);

  private final String key;
  private final boolean idempotent;

  Endpoint(String key, boolean idempotent) {
    this.key = key;
    this.idempotent = idempotent;
  }

  /** The routes key, e.g. {@code check_update}. */
  public String key() { return key; }

  /** Whether it is safe to send again after it may have reached a server (the catalogue's {@code idempotent}). */
  public boolean idempotent() { return idempotent; }

  /** The endpoint with this routes key, if this client calls it. */
  public static java.util.Optional<Endpoint> find(String key) {
    for (Endpoint e : values()) {
      if (e.key.equals(key)) {
        return java.util.Optional.of(e);
      }
    }
    return java.util.Optional.empty();
  }

  /** The endpoint with this routes key. */
  public static Endpoint fromKey(String key) {
    return find(key).orElseThrow(() -> new IllegalArgumentException("unknown endpoint " + key));
  }
}
