package dev.kamiverify;

import java.time.Instant;
import java.util.Optional;

/** A verified login: token, statecode, expiry. Immutable. */
public final class LoginResult {
  private final Reply reply;
  private final String card;
  private final String machineCode;

  LoginResult(Reply reply, String card, String machineCode) {
    this.reply = reply;
    this.card = card;
    this.machineCode = machineCode;
  }

  /** The card's id as sent (a number's text or a string). */
  public String id() { return reply.text("id"); }

  /** Expiry as sent, yyyy-MM-dd HH:mm:ss Beijing time. */
  public String endTime() { return reply.text("end_time"); }

  /** {@link #endTime()} parsed, empty when the server sent something else (永久 cards). */
  public Optional<Instant> expiresAt() { return BeijingTime.parse(endTime()); }

  /** The duration text: 30天, 永久卡, 3次. */
  public String amount() { return reply.text("amount"); }

  /** Seconds (or uses) left. */
  public long available() { return Json.longValue(reply.get("available")); }

  /** The verified token. */
  public String token() { return reply.text("token"); }

  /** The statecode, sent with every heartbeat. */
  public String statecode() { return reply.text("statecode"); }

  /** The server's unix seconds. */
  public long time() { return Json.longValue(reply.get("time")); }

  /** The server's minute, yyyyMMddHHmm Beijing. */
  public String date() { return reply.text("date"); }

  /** The machine code the server echoed. */
  public String imei() { return reply.text("imei"); }

  /** The app's core data, hex as sent. */
  public String core() { return reply.text("core"); }

  /** The card this session was opened with. */
  public String card() { return card; }

  /** The machine code that was sent. */
  public String machineCode() { return machineCode; }

  /** The whole decoded reply. */
  public Reply raw() { return reply; }

  @Override public String toString() {
    return "LoginResult{id=" + id() + ", endTime=" + endTime() + ", amount=" + amount() + "}";
  }
}
