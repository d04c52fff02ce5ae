package dev.kamiverify;

/**
 * The reply of heartbeat, query, unbind, notice, version and check_update: the server's
 * {@code msg} plus typed accessors for each endpoint's fields. Immutable.
 */
public final class Result {
  private final Reply reply;
  private final boolean latest;

  Result(Reply reply, boolean latest) {
    this.reply = reply;
    this.latest = latest;
  }

  /** The server's text (msg). */
  public String msg() { return reply.text("msg"); }

  /** The server's unix seconds (heartbeat), 0 when absent. */
  public long time() { return Json.longValue(reply.get("time")); }

  /** The version (version: ver/version/msg; check_update: the newer version). */
  public String version() {
    for (String name : new String[] {"ver", "version"}) {
      if (reply.has(name)) {
        return reply.text(name);
      }
    }
    return latest ? "" : msg();
  }

  /** check_update: the version asked about is the latest. */
  public boolean latest() { return latest; }

  /** check_update: the newer version's change log. */
  public String upLog() { return reply.text("uplog"); }

  /** check_update: where to download it. */
  public String upUrl() { return reply.text("upurl"); }

  /** query: expiry, yyyy-MM-dd HH:mm:ss Beijing. */
  public String endTime() { return reply.text("end_time"); }

  /** query: seconds (or uses) left. */
  public long available() { return Json.longValue(reply.get("available")); }

  /** The whole decoded reply. */
  public Reply raw() { return reply; }

  @Override public String toString() { return "Result" + reply.fields(); }
}
