package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Against real reference servers started by the repository's test harness. */
class IntegrationTest {
  static Harness harness;

  @BeforeAll
  static void start() throws IOException {
    harness = new Harness();
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "base64", "rsa"})
  void everyEndpointInEveryEncoding(String mode) throws Exception {
    Harness.Server s = harness.server(mode, null);
    KamiClient client = s.client().build();
    assertEquals(mode, client.encoding().mode());
    String card = s.card(null);
    LoginResult login = client.login(card, "JAVA-DEVICE-1");
    assertEquals(32, login.statecode().length());
    assertEquals("JAVA-DEVICE-1", login.machineCode());
    assertTrue(login.expiresAt().isPresent(), login.endTime());
    Result beat = client.heartbeat(login.statecode(), card);
    assertFalse(beat.msg().isEmpty());
    assertTrue(Math.abs(beat.time() - System.currentTimeMillis() / 1000) <= 5);
    Result query = client.query(card);
    assertFalse(query.endTime().isEmpty());
    assertEquals(OptionalLong.of(1), query.line());
    assertTrue(query.lineTime().orElse("").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"), query.toString());
    Result unused = client.query(s.card(null));
    assertEquals(OptionalLong.of(0), unused.line());
    assertEquals(Optional.of(""), unused.lineTime());
    client.notice();
    assertEquals("1.0.0", client.version().version());
    assertTrue(client.checkUpdate("1.0.0").latest());
    Result unbind = client.unbindAsync(card, "JAVA-DEVICE-1").get(10, TimeUnit.SECONDS);
    assertFalse(unbind.msg().isEmpty());
  }

  @Test
  void intCodeAndTwoWaySignatures() throws Exception {
    Harness.Server s = harness.server("plain", map("codeType", "int", "signatureCheck", "two-way"));
    String card = s.card(null);
    LoginResult login = s.client().tokenCheck(KamiClient.TokenCheck.SIGNED).build().login(card, "dev");
    assertTrue(login.raw().get("code").isNumber());
    // the basic formula alone must refuse a two-way token
    String card2 = s.card(null);
    KamiException e = assertThrows(KamiException.class,
        () -> s.client().tokenCheck(KamiClient.TokenCheck.BASIC).build().login(card2, "dev"));
    assertEquals(ErrorCodes.TOKEN_MISMATCH, e.code());
  }

  @Test
  void serverRefusalsCarryStableCodes() throws Exception {
    Harness.Server s = harness.server("base64", null);
    KamiClient client = s.client().build();
    String bound = s.card(map("imei", "DEVICE-A"));
    KamiException mismatch = assertThrows(KamiException.class, () -> client.login(bound, "DEVICE-B"));
    assertEquals("DEVICE_MISMATCH", mismatch.code());
    assertEquals(KamiException.Kind.API, mismatch.kind());
    assertEquals("请在原设备登录", mismatch.serverMessage().orElse(""));

    String disabled = s.card(map("disabled", true));
    assertEquals("CARD_DISABLED", assertThrows(KamiException.class, () -> client.login(disabled, "d")).code());

    assertEquals("CARD_NOT_FOUND", assertThrows(KamiException.class, () -> client.login("NO-SUCH-CARD", "d")).code());

    KamiException bogus = assertThrows(KamiException.class, () -> client.heartbeat("0123456789abcdef0123456789abcdef", null));
    assertEquals("STATECODE_NOT_FOUND", bogus.code());

    String day = s.card(map("type", 0));
    client.login(day, "d");
    s.advance(Duration.ofDays(2));
    assertEquals("CARD_EXPIRED", assertThrows(KamiException.class, () -> client.login(day, "d")).code());

    KamiException bad = assertThrows(KamiException.class, () -> client.login("x", "it's"));
    assertEquals(KamiException.Kind.VALIDATION, bad.kind());
  }

  @Test
  void clockSkewIsRefused() throws Exception {
    Harness.Server s = harness.server("plain", map("timestampCheck", map("enabled", false)));
    String card = s.card(null);
    KamiClient skewed = s.client().clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofSeconds(30))).build();
    assertEquals(ErrorCodes.CLOCK_SKEW, assertThrows(KamiException.class, () -> skewed.login(card, "d")).code());
  }

  static int deadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void loginFailsOverFromADeadHost() throws Exception {
    Harness.Server s = harness.server("plain", null);
    String dead = "http://127.0.0.1:" + deadPort();
    KamiClient client = KamiClient.builder(dead, s.info.get("app").get("appKey").asText())
        .fallbackUrls(s.url).routes(s.routes()).build();
    String card = s.card(null);
    assertEquals(32, client.login(card, "d").statecode().length());
    // only the dead host: a connection error, kind CONNECTION, phase CONNECT
    KamiException e = assertThrows(KamiException.class, () -> KamiClient.builder(dead, "k")
        .routes(s.routes()).maxRetries(0).build().notice());
    assertEquals(ErrorCodes.NETWORK_ERROR, e.code());
    assertEquals(KamiException.Phase.CONNECT, e.phase());
  }

  @Test
  void tamperedReplyIsRejected() throws Exception {
    Harness.Server s = harness.server("plain", null);
    HttpUrlConnectionTransport real = new HttpUrlConnectionTransport();
    // fault injection: the real server's reply with one token character changed
    Transport tamper = request -> {
      Transport.Response r = real.post(request);
      JsonNode body = Json.parse(new String(r.body, StandardCharsets.UTF_8));
      if (body != null && body.has("token")) {
        String t = body.get("token").asText();
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("token", (t.charAt(0) == 'a' ? "b" : "a") + t.substring(1));
        return new Transport.Response(r.status, r.headers, Json.MAPPER.writeValueAsBytes(body));
      }
      return r;
    };
    String card = s.card(null);
    KamiException e = assertThrows(KamiException.class, () -> s.client().transport(tamper).build().login(card, "d"));
    assertEquals(ErrorCodes.TOKEN_MISMATCH, e.code());
    assertEquals(KamiException.Kind.VERIFICATION, e.kind());
  }

  @Test
  void managedHeartbeatSurvivesARestart() throws Exception {
    Harness.Server s = harness.server("plain", map("statecodeValiditySeconds", 20));
    KamiClient client = s.client().timeout(Duration.ofSeconds(2)).build();
    LoginResult login = client.login(s.card(null), "d");
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch beatAfterError = new CountDownLatch(1);
    HeartbeatListener listener = new HeartbeatListener() {
      @Override public void onBeat(Result r) {
        events.add("beat");
        if (events.contains("error")) {
          beatAfterError.countDown();
        }
      }
      @Override public void onTransientError(KamiException e, int attempt) { events.add("error"); }
      @Override public void onLost(Heartbeat.LostReason reason, KamiException e) { events.add("lost " + reason); }
    };
    Heartbeat.Options options = Heartbeat.Options.defaults().validity(Duration.ofSeconds(20))
        .interval(Duration.ofMillis(400)).initialBackoff(Duration.ofMillis(200));
    try (Heartbeat hb = client.startHeartbeat(login, options, listener)) {
      Thread.sleep(1000);
      s.stop();
      Thread.sleep(1500);
      s.start();
      assertTrue(beatAfterError.await(15, TimeUnit.SECONDS), events.toString());
      assertTrue(hb.isRunning());
    }
    assertFalse(events.stream().anyMatch(x -> x.startsWith("lost")), events.toString());
  }

  @Test
  void managedHeartbeatReportsLostOnADisabledCard() throws Exception {
    Harness.Server s = harness.server("rsa", null);
    KamiClient client = s.client().build();
    String card = s.card(null);
    LoginResult login = client.login(card, "d");
    CountDownLatch lost = new CountDownLatch(1);
    List<Object> got = new CopyOnWriteArrayList<>();
    HeartbeatListener listener = new HeartbeatListener() {
      @Override public void onLost(Heartbeat.LostReason reason, KamiException e) {
        got.add(reason);
        got.add(e.code());
        lost.countDown();
      }
    };
    try (Heartbeat hb = client.startHeartbeat(login, Heartbeat.Options.defaults().interval(Duration.ofMillis(300)), listener)) {
      s.cardAction(card, "disable");
      assertTrue(lost.await(10, TimeUnit.SECONDS));
      assertFalse(hb.isRunning());
    }
    assertEquals(Heartbeat.LostReason.REFUSED, got.get(0));
    assertNotEquals(ErrorCodes.UNKNOWN_SERVER_ERROR, got.get(1));
  }

  @Test
  void managedHeartbeatLogsInAgainWhenTheSessionIsKicked() throws Exception {
    Harness.Server s = harness.server("base64", null);
    KamiClient client = s.client().build();
    String card = s.card(null);
    LoginResult login = client.login(card, "d");
    CountDownLatch relogged = new CountDownLatch(1);
    CountDownLatch beatAfter = new CountDownLatch(1);
    List<String> events = new CopyOnWriteArrayList<>();
    HeartbeatListener listener = new HeartbeatListener() {
      @Override public void onRelogin(LoginResult fresh) {
        events.add("relogin");
        relogged.countDown();
      }
      @Override public void onBeat(Result r) {
        if (relogged.getCount() == 0) {
          beatAfter.countDown();
        }
      }
      @Override public void onLost(Heartbeat.LostReason reason, KamiException e) { events.add("lost " + e.code()); }
    };
    Heartbeat.Options options = Heartbeat.Options.defaults().interval(Duration.ofMillis(300)).relogin(true);
    try (Heartbeat hb = client.startHeartbeat(login, options, listener)) {
      s.cardAction(card, "kick");
      assertTrue(relogged.await(10, TimeUnit.SECONDS), events.toString());
      assertTrue(beatAfter.await(10, TimeUnit.SECONDS), events.toString());
      assertNotSame(login, hb.login()); // the loop now beats with the fresh login
      assertTrue(hb.isRunning());
    }
  }

  @Test
  void managedHeartbeatReportsAnOutageLongerThanTheValidity() throws Exception {
    Harness.Server s = harness.server("plain", null);
    KamiClient client = s.client().timeout(Duration.ofSeconds(1)).maxRetries(0).build();
    LoginResult login = client.login(s.card(null), "d");
    CountDownLatch lost = new CountDownLatch(1);
    List<Object> got = new CopyOnWriteArrayList<>();
    HeartbeatListener listener = new HeartbeatListener() {
      @Override public void onTransientError(KamiException e, int attempt) { got.add(e.kind()); }
      @Override public void onLost(Heartbeat.LostReason reason, KamiException e) {
        got.add(reason);
        lost.countDown();
      }
    };
    Heartbeat.Options options = Heartbeat.Options.defaults().validity(Duration.ofSeconds(3))
        .interval(Duration.ofMillis(500)).initialBackoff(Duration.ofMillis(200));
    try (Heartbeat hb = client.startHeartbeat(login, options, listener)) {
      s.stop();
      assertTrue(lost.await(15, TimeUnit.SECONDS), got.toString());
      assertFalse(hb.isRunning());
    } finally {
      s.start();
    }
    assertEquals(Heartbeat.LostReason.OUTAGE, got.get(got.size() - 1));
    assertEquals(KamiException.Kind.CONNECTION, got.get(0));
  }

  @Test
  void potatoCloudCards() throws Exception {
    Harness.Server s = harness.server("plain", null);
    JsonNode user = s.info.get("potatoUser");
    Potato potato = Potato.builder(s.url, s.info.get("app").get("askKey").asText())
        .account(user.get("userNumber").asText(), user.get("passWord").asText()).build();
    List<JsonNode> cards = potato.createCardMy(1, 3);
    assertEquals(3, cards.size());
    String cardStr = cards.get(0).get("cardStr").asText();
    assertFalse(cardStr.isEmpty());
    JsonNode list = potato.getCardMyList(Collections.singletonMap("cardStr", cardStr));
    assertTrue(list.toString().contains(cardStr), list.toString());
    // the created card logs in through the T3 client
    assertEquals(32, s.client().build().login(cardStr, "d").statecode().length());
    KamiException bad = assertThrows(KamiException.class, () -> potato.login(user.get("userNumber").asText(), "wrong"));
    assertEquals(KamiException.Kind.API, bad.kind());
  }
}
