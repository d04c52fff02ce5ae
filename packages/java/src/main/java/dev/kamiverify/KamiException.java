package dev.kamiverify;

import java.time.Duration;
import java.util.Optional;

/**
 * The one exception type of the SDK. It is unchecked on purpose: every call can fail for the same
 * few reasons, callers usually handle them in one place (or through a {@code CompletableFuture}),
 * and Kotlin/Android code does not see checked exceptions anyway. Switch on {@link #code()} (the
 * stable machine codes of {@code docs/errors.md}) or on {@link #kind()}.
 */
public class KamiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What family of failure this is. */
  public enum Kind {
    /** The server answered with an error code (card expired, device mismatch, ...). */
    API,
    /** The server asked the client to slow down (HTTP 429 or RATE_LIMITED). */
    RATE_LIMIT,
    /** No answer: refused, reset, DNS failure. */
    CONNECTION,
    /** No answer within the timeout. */
    TIMEOUT,
    /** The caller cancelled the call. */
    ABORTED,
    /** An answer that cannot be read (bad encoding, not JSON, missing field, HTTP error). */
    RESPONSE,
    /** An answer that failed a security check (token, statecode, safe_code, clock). */
    VERIFICATION,
    /** Bad input or configuration, detected before any I/O. */
    VALIDATION
  }

  /** Whether a transport failure may have reached the server. */
  public enum Phase {
    /** The request provably never left (connect or DNS failure): safe to resend anywhere. */
    CONNECT,
    /** The request may have reached a server. */
    UNKNOWN
  }

  private final Kind kind;
  private final String code;
  private final int httpStatus;
  private final String serverMessage;
  private final String serverCode;
  private final Duration retryAfter;
  private final Phase phase;

  KamiException(Kind kind, String code, String message, Throwable cause) {
    this(kind, code, message, cause, 0, null, null, null, Phase.UNKNOWN);
  }

  KamiException(Kind kind, String code, String message, Throwable cause, int httpStatus,
      String serverMessage, String serverCode, Duration retryAfter, Phase phase) {
    super(message, cause);
    this.kind = kind;
    this.code = code;
    this.httpStatus = httpStatus;
    this.serverMessage = serverMessage;
    this.serverCode = serverCode;
    this.retryAfter = retryAfter;
    this.phase = phase;
  }

  /** The failure family. */
  public Kind kind() { return kind; }

  /** The stable machine code, e.g. {@code CARD_EXPIRED}, {@code TOKEN_MISMATCH}. */
  public String code() { return code; }

  /** The HTTP status of the answer, 0 when there was none. */
  public int httpStatus() { return httpStatus; }

  /** The server's own text (msg), when the server sent one. */
  public Optional<String> serverMessage() { return Optional.ofNullable(serverMessage); }

  /** The reply's {@code code} field as text, when the server sent one. */
  public Optional<String> serverCode() { return Optional.ofNullable(serverCode); }

  /** The server's Retry-After, when it sent one. */
  public Optional<Duration> retryAfter() { return Optional.ofNullable(retryAfter); }

  /** For connection and timeout failures: whether the request may have reached a server. */
  public Phase phase() { return phase; }

  /** True for failures worth retrying later: no answer, timeouts, rate limits, 5xx. */
  public boolean isTransient() {
    return kind == Kind.CONNECTION || kind == Kind.TIMEOUT || kind == Kind.RATE_LIMIT
        || (kind == Kind.RESPONSE && (httpStatus >= 500 || httpStatus == 408));
  }

  static KamiException validation(String field, String message) {
    return new KamiException(Kind.VALIDATION, ErrorCodes.INVALID_ARGUMENT, field + ": " + message, null);
  }

  static KamiException verification(String code, String message) {
    return new KamiException(Kind.VERIFICATION, code, message, null);
  }

  static KamiException response(String code, String message, int status, Throwable cause) {
    return new KamiException(Kind.RESPONSE, code, message, cause, status, null, null, null, Phase.UNKNOWN);
  }

  static KamiException missingField(String name) {
    return response(ErrorCodes.RESPONSE_MISSING_FIELD, "响应数据缺少必要字段: " + name, 0, null);
  }

  static KamiException aborted(Throwable cause) {
    return new KamiException(Kind.ABORTED, ErrorCodes.ABORTED, "the request was aborted", cause);
  }
}
