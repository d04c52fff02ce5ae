package dev.kamiverify;

/**
 * The T3-family endpoints: the one table of endpoint properties. {@link #key()} is the routes key
 * as the reference server spells it; idempotent endpoints are retried and failed over freely,
 * others are only resent when they provably never reached a server.
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
  /** The app's notice. */
  NOTICE("notice", true),
  /** The app's version. */
  VERSION("version", true),
  /** Update check. */
  CHECK_UPDATE("check_update", true);

  private final String key;
  private final boolean idempotent;

  Endpoint(String key, boolean idempotent) {
    this.key = key;
    this.idempotent = idempotent;
  }

  /** The routes key, e.g. {@code check_update}. */
  public String key() { return key; }

  /** Whether it is safe to send again after it may have reached a server. */
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
    for (Endpoint e : values()) {
      if (e.key.equals(key)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown endpoint " + key);
  }
}
