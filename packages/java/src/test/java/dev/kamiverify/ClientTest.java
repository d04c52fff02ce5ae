package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Client rules with a scripted transport: failover, retries, decoding, validation. */
class ClientTest {
  static KamiClient.Builder client(FakeTransport t) {
    return KamiClient.builder("http://a.invalid", "appkey").fallbackUrls("http://b.invalid")
        .route(Endpoint.LOGIN, "L").route(Endpoint.NOTICE, "/n").route(Endpoint.UNBIND, "U")
        .route(Endpoint.HEARTBEAT, "H").transport(t);
  }

  @Test
  void aLoginThatMayHaveArrivedIsNeverResent() {
    FakeTransport t = new FakeTransport(r -> new SocketTimeoutException("Read timed out"));
    KamiException e = assertThrows(KamiException.class, () -> client(t).build().login("card", "dev"));
    assertEquals(ErrorCodes.TIMEOUT, e.code());
    assertEquals(1, t.requests.size());
  }

  @Test
  void aLoginThatNeverLeftFailsOver() {
    FakeTransport t = new FakeTransport(r -> r.url.startsWith("http://a.") ? new ConnectException("refused")
        : FakeTransport.json(200, "{\"code\":\"201\",\"msg\":\"卡密不存在\"}"));
    KamiException e = assertThrows(KamiException.class, () -> client(t).build().login("card", "dev"));
    assertEquals("CARD_NOT_FOUND", e.code());
    assertEquals(2, t.requests.size());
  }

  @Test
  void unbindIsNotResentOn5xx() {
    FakeTransport t = new FakeTransport(r -> FakeTransport.json(502, "bad gateway"));
    KamiException e = assertThrows(KamiException.class, () -> client(t).build().unbind("card", "dev"));
    assertEquals(ErrorCodes.HTTP_ERROR, e.code());
    assertEquals(1, t.requests.size());
  }

  @Test
  void idempotentCallsRetryEveryHostAndHonourRetryAfter() {
    FakeTransport t = new FakeTransport(r -> new Transport.Response(429,
        Map.of("Retry-After", List.of("0")), "{\"code\":\"429\",\"msg\":\"请求过于频繁,请稍后再试\"}".getBytes()));
    KamiException e = assertThrows(KamiException.class, () -> client(t).maxRetries(2).build().notice());
    assertEquals(ErrorCodes.RATE_LIMITED, e.code());
    assertEquals(KamiException.Kind.RATE_LIMIT, e.kind());
    assertEquals(Duration.ZERO, e.retryAfter().orElseThrow());
    assertEquals(6, t.requests.size()); // 2 hosts × (1 + 2 retries)
  }

  @Test
  void theRouteAndBodyAreWhatIsSigned() {
    FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":200,\"msg\":\"hi\"}"));
    assertEquals("hi", client(t).build().notice().msg());
    Transport.Request r = t.requests.get(0);
    assertEquals("http://a.invalid/n", r.url);
    String body = new String(r.body);
    assertTrue(body.matches("t=\\d+&s=[0-9a-f]{32}"), body);
  }

  static Result queryReplying(String json) {
    FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, json));
    return client(t).route(Endpoint.QUERY, "/q").build().query("CARD");
  }

  @Test
  void queryReportsLineAndLineTimeOnlyWhenSent() {
    Result sent = queryReplying("{\"code\":200,\"id\":1,\"line\":2,\"line_time\":\"2026-11-27 13:00:00\"}");
    assertEquals(OptionalLong.of(2), sent.line());
    assertEquals(Optional.of("2026-11-27 13:00:00"), sent.lineTime());
    Result none = queryReplying("{\"code\":200,\"id\":1,\"line\":\"0\",\"line_time\":\"\"}");
    assertEquals(OptionalLong.of(0), none.line());
    assertEquals(Optional.of(""), none.lineTime());
    Result absent = queryReplying("{\"code\":200,\"id\":1}");
    assertEquals(OptionalLong.empty(), absent.line());
    assertEquals(Optional.empty(), absent.lineTime());
  }

  @Test
  void undecodableAndNonJsonRepliesHaveTheirOwnCodes() {
    String alphabet = new StringBuilder(Codec.STD).reverse().toString();
    FakeTransport garbage = new FakeTransport(r -> FakeTransport.json(200, "%%%"));
    assertEquals(ErrorCodes.RESPONSE_DECODE_FAILED, assertThrows(KamiException.class,
        () -> client(garbage).encoding(Encoding.base64(alphabet)).build().notice()).code());
    FakeTransport html = new FakeTransport(r -> FakeTransport.json(200, "<html>"));
    assertEquals(ErrorCodes.RESPONSE_INVALID_JSON, assertThrows(KamiException.class, () -> client(html).build().notice()).code());
    FakeTransport array = new FakeTransport(r -> FakeTransport.json(200, "[1]"));
    assertEquals(ErrorCodes.RESPONSE_INVALID_JSON, assertThrows(KamiException.class, () -> client(array).build().notice()).code());
    FakeTransport trailing = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":200} x"));
    assertEquals(ErrorCodes.RESPONSE_INVALID_JSON, assertThrows(KamiException.class, () -> client(trailing).build().notice()).code());
    FakeTransport noCode = new FakeTransport(r -> FakeTransport.json(200, "{\"msg\":\"?\"}"));
    assertEquals(ErrorCodes.RESPONSE_MISSING_FIELD, assertThrows(KamiException.class, () -> client(noCode).build().notice()).code());
  }

  @Test
  void randomRepliesGiveTypedErrorsNeverACrash() {
    java.util.Random random = new java.util.Random(12345); // seeded: a failure reproduces
    String alphabet = new StringBuilder(Codec.STD).reverse().toString();
    String pem = VectorsTest.read("rsa-test-key.json").get("publicKeySpkiPem").asText();
    String[] seeds = {"{\"code\":200}", "{", "\u00ff\u0000", "AAAA", "{\"code\":\"200\",\"time\":\"x\"}", "==", "{}"};
    for (Encoding encoding : new Encoding[] {Encoding.plain(), Encoding.base64(alphabet), Encoding.rsa(pem)}) {
      for (int i = 0; i < 1500; i++) {
        byte[] body;
        if (i % 3 == 0) {
          body = new byte[random.nextInt(300)];
          random.nextBytes(body);
        } else {
          StringBuilder b = new StringBuilder(seeds[random.nextInt(seeds.length)]);
          for (int k = random.nextInt(6); k > 0 && b.length() > 0; k--) {
            b.setCharAt(random.nextInt(b.length()), (char) (32 + random.nextInt(95)));
          }
          body = b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        int status = random.nextBoolean() ? 200 : 500 + random.nextInt(3);
        byte[] fixed = body;
        FakeTransport t = new FakeTransport(r -> new Transport.Response(status, Map.of(), fixed));
        KamiClient c = client(t).encoding(encoding).maxRetries(0).build();
        try {
          c.notice();
        } catch (KamiException expected) {
          assertTrue(expected.code() != null && !expected.code().isEmpty());
        }
        try {
          c.heartbeat("statecode", null);
        } catch (KamiException expected) {
          assertTrue(expected.code() != null && !expected.code().isEmpty());
        }
      }
    }
  }

  static KamiClient everyRoute(FakeTransport t) {
    KamiClient.Builder b = KamiClient.builder("http://a.invalid", "appkey").transport(t).maxRetries(0);
    for (Endpoint e : Endpoint.values()) {
      b.route(e, "/" + e.key());
    }
    return b.build();
  }

  @Test
  void onlineCountsMustBeWholeNumbers() {
    for (String good : new String[] {"\"3\"", "3"}) {
      FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":200,\"msg\":" + good + "}"));
      assertEquals(3, everyRoute(t).onlineKami().count());
      assertEquals(3, everyRoute(t).onlineUser().count());
    }
    for (String bad : new String[] {"\"三\"", "\"1.5\"", "\"-1\"", "{}"}) {
      FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":200,\"msg\":" + bad + "}"));
      assertEquals(ErrorCodes.RESPONSE_MISSING_FIELD, assertThrows(KamiException.class, () -> everyRoute(t).onlineKami()).code(), bad);
    }
  }

  @Test
  void badArgumentsOfTheT3CallsNeverLeaveTheClient() {
    FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":200}"));
    KamiClient c = everyRoute(t);
    List<org.junit.jupiter.api.function.Executable> calls = List.of(
        () -> c.kamiRecharge("", "s"), () -> c.kamiRecharge("t", null), () -> c.ipUnbind(""),
        () -> c.disable(null), () -> c.getKamiCore(""), () -> c.modifyCore("k", null),
        () -> c.getVariable("k", null, null), () -> c.getVariable("", "v"), () -> c.modifyVariable("k", "", "x"),
        () -> c.modifyVariable("k", "v", null), () -> c.heartbeatAny(""), () -> c.appSign(""),
        () -> c.register("u", ""), () -> c.userLogin("u", "p", "it's"), () -> c.userLogin("", "p", "d"),
        () -> c.userHeartbeat("u", "p", ""), () -> c.recharge("u", ""), () -> c.changePassword("u", "o", ""),
        () -> c.userCancel("u", ""), () -> c.getUserCore("", "p"));
    for (org.junit.jupiter.api.function.Executable call : calls) {
      assertEquals(KamiException.Kind.VALIDATION, assertThrows(KamiException.class, call).kind());
    }
    assertEquals(0, t.requests.size());
  }

  @Test
  void registerSendsEmailOnlyWhenGiven() {
    FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":200,\"msg\":\"注册成功\"}"));
    KamiClient c = everyRoute(t);
    assertEquals("注册成功", c.register("user", "pass").msg());
    c.register("user", "pass", "");
    c.register("user", "pass", "a@b.c");
    assertTrue(new String(t.requests.get(0).body).matches("user=user&pass=pass&t=\\d+&s=[0-9a-f]{32}"));
    assertTrue(new String(t.requests.get(1).body).matches("user=user&pass=pass&t=\\d+&s=[0-9a-f]{32}"));
    assertTrue(new String(t.requests.get(2).body).startsWith("user=user&pass=pass&email=a%40b.c&t="));
  }

  @Test
  void badConfigurationFailsAtBuildTime() {
    assertEquals(KamiException.Kind.VALIDATION, assertThrows(KamiException.class,
        () -> KamiClient.builder("ftp://x", "k")).kind());
    assertEquals(KamiException.Kind.VALIDATION, assertThrows(KamiException.class,
        () -> KamiClient.builder("http://x", "")).kind());
    assertEquals(KamiException.Kind.VALIDATION, assertThrows(KamiException.class,
        () -> KamiClient.builder("http://x", "k").encoding(Encoding.base64("abc")).build()).kind());
    assertEquals(KamiException.Kind.VALIDATION, assertThrows(KamiException.class,
        () -> KamiClient.builder("http://x", "k").encoding(Encoding.rsa("not a key")).build()).kind());
    KamiClient c = KamiClient.builder("http://x", "k").build();
    assertEquals(KamiException.Kind.VALIDATION, assertThrows(KamiException.class, c::notice).kind());
  }

  @Test
  void machineCodeIsSaltedAndStable() {
    String a = MachineCode.of("app-one");
    assertEquals(a, MachineCode.of("app-one"));
    assertTrue(a.matches("[0-9A-F]{32}") || System.getenv(MachineCode.ENV) != null, a);
    assertTrue(!a.equals(MachineCode.of("app-two")) || System.getenv(MachineCode.ENV) != null);
    assertEquals("", MachineCode.parseMachineIdFile("00000000000000000000000000000000\n"));
    assertEquals("0123456789abcdef0123456789abcdef", MachineCode.parseMachineIdFile("0123456789ABCDEF0123456789ABCDEF\n"));
    // HMAC-MD5("kami-verify", "abc"), computed independently with node:crypto
    assertEquals(NodeHmac.EXPECTED, MachineCode.salted("abc", null, false));
  }

  @Test
  void cancellingAnAsyncCallAbortsIt() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
    FakeTransport slow = new FakeTransport(r -> {
      try {
        Thread.sleep(10_000);
      } catch (InterruptedException e) {
        interrupted.set(true);
        Thread.currentThread().interrupt();
        return new IOException("interrupted");
      }
      return FakeTransport.json(200, "{}");
    });
    java.util.concurrent.CompletableFuture<Result> f = client(slow).build().noticeAsync();
    Thread.sleep(100);
    assertTrue(f.cancel(true));
    assertTrue(f.isCancelled());
    // the worker thread was interrupted: the transport saw it within a second
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (!interrupted.get() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(interrupted.get());
  }
}
