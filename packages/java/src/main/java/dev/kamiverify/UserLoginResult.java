package dev.kamiverify;

import java.time.Instant;
import java.util.Optional;

/** A verified account login (账号模式, user_login): token, statecode, expiry. Immutable. */
public final class UserLoginResult {
  private final Reply reply;
  private final String user;
  private final String machineCode;

  UserLoginResult(Reply reply, String user, String machineCode) {
    this.reply = reply;
    this.user = user;
    this.machineCode = machineCode;
  }

  /** The account's id as sent (a number's text or a string). */
  public String id() { return reply.text("id"); }

  /** Expiry as sent, yyyy-MM-dd HH:mm:ss Beijing time. */
  public String endTime() { return reply.text("end_time"); }

  /** {@link #endTime()} parsed, empty when the server sent something else. */
  public Optional<Instant> expiresAt() { return BeijingTime.parse(endTime()); }

  /** The verified token. */
  public String token() { return reply.text("token"); }

  /** The statecode, sent with every {@code userHeartbeat} / {@code heartbeatAny}. */
  public String statecode() { return reply.text("statecode"); }

  /** The server's unix seconds. */
  public long time() { return Json.longValue(reply.get("time")); }

  /** The server's minute, yyyyMMddHHmm Beijing (the token hashes it). */
  public String date() { return reply.text("date"); }

  /** Cards recharged into the account so far (0 when absent). */
  public long recharge() { return Json.longValue(reply.get("recharge")); }

  /** First login, yyyy-MM-dd HH:mm:ss Beijing, as sent. */
  public String useTime() { return reply.text("use_time"); }

  /** Seconds left, or uses left for an account that logs in by uses. */
  public long available() { return Json.longValue(reply.get("available")); }

  /** The machine code the server has bound. */
  public String imei() { return reply.text("imei"); }

  /** Unbinds so far (0 when absent). */
  public long change() { return Json.longValue(reply.get("change")); }

  /** The account's core data, as sent. */
  public String core() { return reply.text("core"); }

  /** The account this session was opened with. */
  public String user() { return user; }

  /** The machine code that was sent. */
  public String machineCode() { return machineCode; }

  /** The whole decoded reply. */
  public Reply raw() { return reply; }

  @Override public String toString() {
    return "UserLoginResult{id=" + id() + ", user=" + user + ", endTime=" + endTime() + "}";
  }
}
