package dev.kamiverify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The potatocloud reseller API (/api/login, /api/createCardMy, /api/getCardMyList). Immutable
 * configuration, thread safe; the user token obtained by {@link #login} is kept and renewed once
 * when the service says it expired (if an account is configured).
 */
public final class Potato {
  /** The most cards one createCardMy call may create. */
  public static final int MAX_CARDS_PER_CALL = 10;

  private final Rotation rotation;
  private final String askKey;
  private final String signSecret;
  private final String userNumber;
  private final String passWord;
  private final Clock clock;
  private final AtomicReference<String> token;

  private Potato(Builder b) {
    this.rotation = new Rotation(Collections.unmodifiableList(new ArrayList<>(b.hosts)),
        b.transport != null ? b.transport : new HttpUrlConnectionTransport(), b.timeout, b.maxRetries);
    this.askKey = b.askKey;
    this.signSecret = b.signSecret;
    this.userNumber = b.userNumber;
    this.passWord = b.passWord;
    this.clock = b.clock;
    this.token = new AtomicReference<>(b.apiUserToken);
  }

  /** A builder for the service at {@code baseUrl} with the app's askKey. */
  public static Builder builder(String baseUrl, String askKey) {
    return new Builder(baseUrl, askKey);
  }

  /** The exact header set of one call, names as the service spells them (a null value = not sent). */
  static Map<String, String> headers(String askKey, String apiUserToken, String signSecret, long timeMs) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("content-type", "application/json");
    h.put("askKey", askKey);
    if (apiUserToken != null && !apiUserToken.isEmpty()) {
      h.put("apiUserToken", apiUserToken);
    }
    if (signSecret != null && !signSecret.isEmpty()) {
      h.put("time", Long.toString(timeMs));
      h.put("sign", Protocol.potatoSign(signSecret, timeMs));
    }
    return h;
  }

  /** Logs the reseller account in and keeps the returned apiUserToken. */
  public String login(String userNumber, String passWord) {
    if (userNumber == null || userNumber.isEmpty() || passWord == null || passWord.isEmpty()) {
      throw KamiException.validation("userNumber", "userNumber and passWord are required");
    }
    ObjectNode body = Json.MAPPER.createObjectNode().put("userNumber", userNumber).put("passWord", passWord);
    JsonNode data = call("/api/login", body, true, false);
    JsonNode t = data == null ? null : data.get("apiUserToken");
    if (t == null || t.isNull()) {
      throw KamiException.missingField("data.apiUserToken");
    }
    token.set(t.asText());
    return t.asText();
  }

  /** Creates {@code total} (1–10) cards of a type (0 天卡 … 5 永久卡); returns the card records. */
  public List<JsonNode> createCardMy(int type, int total) {
    if (type < 0 || type > 5) {
      throw KamiException.validation("type", "card type must be 0-5");
    }
    if (total < 1 || total > MAX_CARDS_PER_CALL) {
      throw KamiException.validation("total", "total must be 1-" + MAX_CARDS_PER_CALL);
    }
    ObjectNode body = Json.MAPPER.createObjectNode().put("type", type).put("total", total);
    JsonNode data = authed("/api/createCardMy", body, false);
    List<JsonNode> cards = new ArrayList<>();
    if (data != null) {
      data.forEach(cards::add);
    }
    return cards;
  }

  /** Lists the reseller's cards; {@code query} holds p, s, cardStr, state, type as the service names them. */
  public JsonNode getCardMyList(Map<String, Object> query) {
    return authed("/api/getCardMyList", Json.MAPPER.valueToTree(query == null ? Collections.emptyMap() : query), true);
  }

  /** {@link #createCardMy} on the common pool. */
  public CompletableFuture<List<JsonNode>> createCardMyAsync(int type, int total) {
    return CompletableFuture.supplyAsync(() -> createCardMy(type, total));
  }

  private JsonNode authed(String path, JsonNode body, boolean idempotent) {
    boolean canLogin = userNumber != null && passWord != null;
    if (token.get() == null && canLogin) {
      login(userNumber, passWord);
    }
    if (token.get() == null) {
      throw KamiException.validation("apiUserToken", "apiUserToken (or userNumber + passWord) is required");
    }
    try {
      return call(path, body, idempotent, true);
    } catch (KamiException e) {
      if (!canLogin || e.kind() != KamiException.Kind.API || !"USER_TOKEN_INVALID".equals(e.code())) {
        throw e;
      }
      login(userNumber, passWord);
      return call(path, body, idempotent, true);
    }
  }

  private JsonNode call(String path, JsonNode body, boolean idempotent, boolean auth) {
    byte[] payload;
    try {
      payload = Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw KamiException.validation("body", e.getMessage());
    }
    // Fresh time and sign per attempt: the sign only covers the time.
    Transport.Response resp = rotation.send(idempotent, path,
        url -> headers(askKey, auth ? token.get() : null, signSecret, clock.millis()), payload);
    JsonNode env = Json.parse(new String(resp.body, StandardCharsets.UTF_8));
    if (env == null || !env.isObject()) {
      if (resp.status >= 400) {
        throw KamiException.response(ErrorCodes.HTTP_ERROR, "HTTP " + resp.status, resp.status, null);
      }
      throw KamiException.response(ErrorCodes.RESPONSE_INVALID_JSON, "响应不是有效的JSON格式", resp.status, null);
    }
    if (!Json.present(env, "code")) {
      throw KamiException.response(ErrorCodes.RESPONSE_MISSING_FIELD, "响应数据缺少必要字段: code", resp.status, null);
    }
    String code = Json.text(env.get("code"));
    if (!code.equals("200")) {
      String msg = env.path("message").isTextual() ? env.get("message").textValue() : "";
      String errorCode = ErrorCodes.forPotato(msg, code);
      boolean rate = resp.status == 429 || errorCode.equals(ErrorCodes.RATE_LIMITED);
      throw new KamiException(rate ? KamiException.Kind.RATE_LIMIT : KamiException.Kind.API,
          rate && errorCode.equals(ErrorCodes.UNKNOWN_SERVER_ERROR) ? ErrorCodes.RATE_LIMITED : errorCode,
          msg.isEmpty() ? "potatocloud error " + code : msg, null, resp.status, msg, code,
          KamiClient.parseRetryAfter(resp.header("Retry-After")), KamiException.Phase.UNKNOWN);
    }
    return env.get("data");
  }

  /** Builds a {@link Potato}. */
  public static final class Builder {
    private final List<String> hosts = new ArrayList<>();
    private final String askKey;
    private String apiUserToken;
    private String userNumber;
    private String passWord;
    private String signSecret;
    private Transport transport;
    private Duration timeout = KamiClient.DEFAULT_TIMEOUT;
    private int maxRetries = KamiClient.DEFAULT_MAX_RETRIES;
    private Clock clock = Clock.systemUTC();

    private Builder(String baseUrl, String askKey) {
      if (baseUrl == null || !baseUrl.matches("(?i)^https?://\\S+$")) {
        throw KamiException.validation("baseUrl", "\"" + baseUrl + "\" is not an http(s) URL");
      }
      if (askKey == null || askKey.isEmpty()) {
        throw KamiException.validation("askKey", "askKey must be a non-empty string");
      }
      hosts.add(baseUrl.replaceAll("/+$", ""));
      this.askKey = askKey;
    }

    /** A token from an earlier login. */
    public Builder apiUserToken(String token) { this.apiUserToken = token; return this; }

    /** The account to log in with (and to log in again with when the token expires). */
    public Builder account(String userNumber, String passWord) {
      this.userNumber = Objects.requireNonNull(userNumber);
      this.passWord = Objects.requireNonNull(passWord);
      return this;
    }

    /** The signature secret (signature v1); unsigned when not set. */
    public Builder signSecret(String secret) { this.signSecret = secret; return this; }

    /** The HTTP transport. Default {@link HttpUrlConnectionTransport}. */
    public Builder transport(Transport t) { this.transport = Objects.requireNonNull(t); return this; }

    /** Per-attempt timeout. Default 10 s. */
    public Builder timeout(Duration d) { this.timeout = Objects.requireNonNull(d); return this; }

    /** The local clock (the time header). */
    public Builder clock(Clock c) { this.clock = Objects.requireNonNull(c); return this; }

    /** The client. */
    public Potato build() { return new Potato(this); }
  }
}
