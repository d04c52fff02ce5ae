package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The account family (账号模式) against real reference servers, plain and encoded: every call, the
 * login's token and statecode checks (both formulas), and the server's refusals as typed errors.
 */
class AccountsTest {
  static Harness harness;
  static final AtomicInteger N = new AtomicInteger();

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

  /** 3-32 letters, digits or _@.- (账号格式); unique per run. */
  static String user() {
    return "jv" + ProcessHandle.current().pid() + "_" + N.incrementAndGet();
  }

  static KamiException refused(Executable call) {
    return assertThrows(KamiException.class, call);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "base64"})
  void everyAccountCallFromRegisterToCancel(String mode) throws Exception {
    Harness.Server s = harness.server(mode, null);
    KamiClient client = s.client().build();
    String user = user();
    assertEquals("注册成功", client.register(user, "secret-1", "me@example.com").msg());
    assertEquals("充值成功", client.recharge(user, s.card(Map.of("type", 0))).msg());

    UserLoginResult login = client.userLogin(user, "secret-1", "JAVA-DEVICE");
    assertEquals(user, login.user());
    assertEquals(1, login.recharge());
    assertEquals("JAVA-DEVICE", login.imei());
    assertEquals("JAVA-DEVICE", login.machineCode());
    assertEquals(0, login.change());
    assertEquals("", login.core());
    assertTrue(login.available() > 86_000 && login.available() <= 86_400, login.raw().toString());
    assertTrue(login.statecode().matches("[0-9a-f]{32}"), login.statecode());
    assertTrue(login.expiresAt().isPresent(), login.endTime());
    assertTrue(Math.abs(login.time() - System.currentTimeMillis() / 1000) <= 5);

    Result beat = client.userHeartbeat(user, "secret-1", login.statecode());
    assertEquals("在线", beat.msg());
    assertTrue(Math.abs(beat.time() - System.currentTimeMillis() / 1000) <= 5);
    assertEquals("在线", client.heartbeatAny(login.statecode()).msg());
    assertEquals("", client.getUserCore(user, "secret-1").core());
    assertEquals(1, client.onlineUser().count());
    assertEquals(0, client.onlineKami().count());

    assertEquals("密码修改成功", client.changePassword(user, "secret-1", "secret-2").msg());
    assertEquals("STATECODE_NOT_FOUND", refused(() -> client.userHeartbeat(user, "secret-2", login.statecode())).code());
    assertEquals(0, client.onlineUserAsync().get(10, TimeUnit.SECONDS).count());
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.getUserCore(user, "secret-1")).code());

    assertEquals("注销成功", client.userCancelAsync(user, "secret-2").get(10, TimeUnit.SECONDS).msg());
    KamiException gone = refused(() -> client.userLogin(user, "secret-2", "JAVA-DEVICE"));
    assertEquals("USER_LOGIN_FAILED", gone.code());
    assertEquals("账号或密码错误", gone.serverMessage().orElse(""));
    assertEquals(KamiException.Kind.API, gone.kind());
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "rsa"})
  void refusalsArriveTyped(String mode) throws Exception {
    Harness.Server s = harness.server(mode, null);
    KamiClient client = s.client().build();
    String user = user();
    client.register(user, "secret-1");
    KamiException exists = refused(() -> client.register(user, "secret-1"));
    assertEquals("USER_EXISTS", exists.code());
    assertEquals("账号已存在", exists.serverMessage().orElse(""));
    assertEquals("USER_INVALID", refused(() -> client.register("x", "secret-1")).code());
    assertEquals("PASSWORD_INVALID", refused(() -> client.register(user(), "short")).code());
    assertEquals("EMAIL_INVALID", refused(() -> client.register(user(), "secret-1", "not-an-email")).code());

    KamiException notRecharged = refused(() -> client.userLogin(user, "secret-1", "D1"));
    assertEquals("USER_NOT_RECHARGED", notRecharged.code());
    assertEquals("账号未充值", notRecharged.serverMessage().orElse(""));
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.userLogin(user, "wrong-pass", "D1")).code());

    String card = s.card(Map.of("type", 5));
    assertEquals("USER_NOT_FOUND", refused(() -> client.recharge(user(), card)).code());
    client.recharge(user, card);
    assertEquals("CARD_ALREADY_USED", refused(() -> client.recharge(user, card)).code());
    assertEquals("CARD_NOT_FOUND", refused(() -> client.recharge(user, "NO-SUCH-CARD")).code());

    UserLoginResult login = client.userLogin(user, "secret-1", "D1");
    assertEquals("DEVICE_MISMATCH", refused(() -> client.userLogin(user, "secret-1", "D2")).code());
    assertEquals("STATECODE_NOT_FOUND",
        refused(() -> client.userHeartbeat(user, "secret-1", "0123456789abcdef0123456789abcdef")).code());
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.changePassword(user, "wrong-pass", "secret-3")).code());
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.userCancel(user, "wrong-pass")).code());
    assertEquals("在线", client.userHeartbeat(user, "secret-1", login.statecode()).msg());

    // bad input never leaves the client
    assertEquals(KamiException.Kind.VALIDATION, refused(() -> client.userLogin(user, "secret-1", "it's")).kind());
    assertEquals(KamiException.Kind.VALIDATION, refused(() -> client.register("", "secret-1")).kind());
  }

  @Test
  void userLoginAcceptsBothTokenFormulasAndOnlyTheConfiguredOne() throws Exception {
    // loginToken basic: md5(id + APPKEY + end_time + date); two-way signing: the sign text is hashed in
    for (String signing : new String[] {"basic", "two-way"}) {
      Harness.Server s = harness.server("plain",
          signing.equals("basic") ? Map.of("loginToken", "basic") : Map.of("signatureCheck", "two-way"));
      KamiClient setup = s.client().build();
      String user = user();
      setup.register(user, "secret-1");
      setup.recharge(user, s.card(Map.of("type", 5)));
      boolean twoWay = signing.equals("two-way");
      KamiClient.TokenCheck right = twoWay ? KamiClient.TokenCheck.SIGNED : KamiClient.TokenCheck.BASIC;
      KamiClient.TokenCheck wrong = twoWay ? KamiClient.TokenCheck.BASIC : KamiClient.TokenCheck.SIGNED;
      assertEquals(32, setup.userLogin(user, "secret-1", "D").token().length(), signing); // AUTO: either
      assertEquals(32, s.client().tokenCheck(right).build().userLogin(user, "secret-1", "D").token().length(), signing);
      KamiException e = refused(() -> s.client().tokenCheck(wrong).build().userLogin(user, "secret-1", "D"));
      assertEquals(ErrorCodes.TOKEN_MISMATCH, e.code(), signing);
      assertEquals(KamiException.Kind.VERIFICATION, e.kind());
    }
  }

  /** Fault injection: the real server's user_login reply with one field altered. */
  static Transport tamper(String route, String field) {
    HttpUrlConnectionTransport real = new HttpUrlConnectionTransport();
    return request -> {
      Transport.Response r = real.post(request);
      JsonNode body = Json.parse(new String(r.body, StandardCharsets.UTF_8));
      if (request.url.endsWith("/" + route) && body != null && body.has(field)) {
        String v = body.get(field).asText();
        ((ObjectNode) body).put(field, (v.charAt(0) == 'a' ? "b" : "a") + v.substring(1));
        return new Transport.Response(r.status, r.headers, Json.MAPPER.writeValueAsBytes(body));
      }
      return r;
    };
  }

  @Test
  void aTamperedUserLoginReplyIsRefused() throws Exception {
    Harness.Server s = harness.server("plain", null);
    String user = user();
    KamiClient good = s.client().build();
    good.register(user, "secret-1");
    good.recharge(user, s.card(Map.of("type", 5)));
    String route = s.routes().get("user_login");
    KamiException token = refused(() -> s.client().transport(tamper(route, "token")).build().userLogin(user, "secret-1", "D"));
    assertEquals(ErrorCodes.TOKEN_MISMATCH, token.code());
    KamiException state = refused(() -> s.client().transport(tamper(route, "statecode")).build().userLogin(user, "secret-1", "D"));
    assertEquals(ErrorCodes.STATECODE_MISMATCH, state.code());
    // the check can be switched off, and the untouched reply verifies
    assertEquals(32, s.client().transport(tamper(route, "token")).tokenCheck(KamiClient.TokenCheck.OFF).build()
        .userLogin(user, "secret-1", "D").token().length());
    assertEquals(32, good.userLogin(user, "secret-1", "D").token().length());
  }
}
