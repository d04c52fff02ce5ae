package dev.kamiverify;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The stable error codes. Client-side codes are constants here; the server message → code table
 * is loaded from {@code messages.json}, which Maven copies from {@code spec/vectors} at build time
 * (never retyped).
 */
public final class ErrorCodes {
  /** No answer from any host. */
  public static final String NETWORK_ERROR = "NETWORK_ERROR";
  /** No answer within the timeout. */
  public static final String TIMEOUT = "TIMEOUT";
  /** Cancelled by the caller. */
  public static final String ABORTED = "ABORTED";
  /** An HTTP error status without a readable body. */
  public static final String HTTP_ERROR = "HTTP_ERROR";
  /** The body is not valid in the app's encoding mode. */
  public static final String RESPONSE_DECODE_FAILED = "RESPONSE_DECODE_FAILED";
  /** The decoded body is not a JSON object. */
  public static final String RESPONSE_INVALID_JSON = "RESPONSE_INVALID_JSON";
  /** A required reply field is absent. */
  public static final String RESPONSE_MISSING_FIELD = "RESPONSE_MISSING_FIELD";
  /** The login token does not verify with this APPKEY. */
  public static final String TOKEN_MISMATCH = "TOKEN_MISMATCH";
  /** The statecode is not md5(token + time). */
  public static final String STATECODE_MISMATCH = "STATECODE_MISMATCH";
  /** The safe_code nonce was not echoed. */
  public static final String SAFE_CODE_MISMATCH = "SAFE_CODE_MISMATCH";
  /** The reply's time is too far from the local clock. */
  public static final String CLOCK_SKEW = "CLOCK_SKEW";
  /** Bad input or configuration. */
  public static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
  /** A server text not in the table. */
  public static final String UNKNOWN_SERVER_ERROR = "UNKNOWN_SERVER_ERROR";
  /** The server's rate-limit code. */
  public static final String RATE_LIMITED = "RATE_LIMITED";

  private static final Map<String, String> T3;
  private static final Map<String, String> T3_SUCCESS;
  private static final Map<String, String> POTATO;
  private static final Map<String, String> POTATO_FALLBACK;

  static {
    Map<String, String> t3 = new HashMap<>();
    Map<String, String> success = new HashMap<>();
    Map<String, String> potato = new HashMap<>();
    Map<String, String> fallback = new HashMap<>();
    try (InputStream in = ErrorCodes.class.getResourceAsStream("messages.json")) {
      if (in == null) {
        throw new IllegalStateException("messages.json is missing from the jar");
      }
      JsonNode root = Json.MAPPER.readTree(in);
      for (String group : new String[] {"seed", "other"}) {
        for (JsonNode m : root.path("t3").path(group)) {
          t3.put(m.path("message").asText(), m.path("errorCode").asText());
        }
      }
      for (JsonNode m : root.path("t3").path("success")) {
        success.put(m.path("message").asText(), m.path("code").asText());
      }
      for (JsonNode m : root.path("potato")) {
        potato.put(m.path("message").asText(), m.path("errorCode").asText());
      }
      for (JsonNode m : root.path("potatoEnvelopeFallback")) {
        fallback.put(m.path("serverCode").asText(), m.path("errorCode").asText());
      }
    } catch (IOException e) {
      throw new IllegalStateException("messages.json cannot be read", e);
    }
    T3 = Collections.unmodifiableMap(t3);
    T3_SUCCESS = Collections.unmodifiableMap(success);
    POTATO = Collections.unmodifiableMap(potato);
    POTATO_FALLBACK = Collections.unmodifiableMap(fallback);
  }

  private ErrorCodes() {}

  /** The error code of a T3 server message (exact after trimming), if the text is known. */
  public static Optional<String> forT3Message(String message) {
    return message == null ? Optional.empty() : Optional.ofNullable(T3.get(message.trim()));
  }

  /** True when the text is one of the table's success texts (在线, ...). */
  static boolean isT3SuccessText(String message) {
    return message != null && T3_SUCCESS.containsKey(message.trim());
  }

  /** True when {@code code} is one of the table's T3 codes (an error's or a success text's). */
  static boolean knowsT3Code(String code) {
    return T3.containsValue(code) || T3_SUCCESS.containsValue(code);
  }

  /** The success text with this table code, e.g. HEARTBEAT_ONLINE → 在线. */
  static String successText(String code) {
    for (Map.Entry<String, String> e : T3_SUCCESS.entrySet()) {
      if (e.getValue().equals(code)) {
        return e.getKey();
      }
    }
    return "";
  }

  /**
   * The error code of a potatocloud reply: its text when known, else the envelope code's
   * fallback, else {@link #UNKNOWN_SERVER_ERROR}.
   */
  public static String forPotato(String message, String envelopeCode) {
    String byText = message == null ? null : POTATO.get(message.trim());
    if (byText != null) {
      return byText;
    }
    return POTATO_FALLBACK.getOrDefault(envelopeCode, UNKNOWN_SERVER_ERROR);
  }

  /** The error code of a T3 reply's message: the table's, else {@link #UNKNOWN_SERVER_ERROR}. */
  public static String forT3(String message) {
    return forT3Message(message).orElse(UNKNOWN_SERVER_ERROR);
  }
}
