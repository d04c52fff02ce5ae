package dev.kamiverify;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The reply of every call but the logins: the server's {@code msg} plus typed accessors for each
 * endpoint's fields (each accessor says which calls fill it). Immutable.
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

  /** The server's unix seconds (heartbeats, app_sign), 0 when absent. */
  public long time() { return Json.longValue(reply.get("time")); }

  /** The server's minute, yyyyMMddHHmm Beijing (heartbeats), "" when absent. */
  public String date() { return reply.text("date"); }

  /** getKamiCore / getUserCore: the core data (the reply's msg). */
  public String core() { return msg(); }

  /** cloudDoc: the document text (the reply's msg). */
  public String content() { return msg(); }

  /** getVariable / getVariableByUser: the variable's value (the reply's msg). */
  public String value() { return msg(); }

  /** onlineKami / onlineUser: live sessions (the reply's msg, checked to be an integer). */
  public long count() { return Json.longValue(reply.get("msg")); }

  /** appSign: the configured signature that matched. */
  public String autograph() { return reply.text("autograph"); }

  /**
   * The version number: check_update's {@code version}; the version endpoint's {@code msg} (what
   * t3sdk reads); else the display name {@code ver}. "" for check_update's "already latest".
   */
  public String version() {
    if (reply.has("version")) {
      return reply.text("version");
    }
    if (!latest && reply.has("msg")) {
      return msg();
    }
    return reply.text("ver");
  }

  /** version / check_update: the display name ({@code ver}), "" when the server sends none. */
  public String name() { return reply.text("ver"); }

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

  /** query: sessions of the card online now ({@code line}); empty when the server does not send it. */
  public OptionalLong line() {
    return reply.has("line") ? OptionalLong.of(Json.longValue(reply.get("line"))) : OptionalLong.empty();
  }

  /**
   * query: when an online session was last seen ({@code line_time}, yyyy-MM-dd HH:mm:ss Beijing; ""
   * when none is online); empty when the server does not send it.
   */
  public Optional<String> lineTime() {
    return reply.has("line_time") ? Optional.of(reply.text("line_time")) : Optional.empty();
  }

  /** The whole decoded reply. */
  public Reply raw() { return reply; }

  @Override public String toString() { return "Result" + reply.fields(); }
}
