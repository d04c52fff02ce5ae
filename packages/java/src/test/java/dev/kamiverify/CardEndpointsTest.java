package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The card and app endpoints beyond login (kami_recharge, ip_unbind, disable, core data, cloud
 * variables, heartbeat_any, online_kami, app_sign) against real reference servers, plain and
 * encoded: each call's success and its documented errors.
 */
class CardEndpointsTest {
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

  static final long DAY = 86_400;

  static Harness.Server server(String mode) throws IOException {
    return harness.server(mode, Map.of(
        "ipBinding", "exact",
        "appSignatures", List.of("SIG-1", "SIG-2"),
        "coreMaxBytes", 16,
        "version", "3.0.0",
        "ver", "三代",
        "update", Map.of("version", "3.1.0", "ver", "三代加", "upurl", "https://example.com/3.1"),
        "variables", List.of(
            Map.of("id", "v", "name", "变量", "value", "start", "writable", true),
            Map.of("id", "ro", "name", "只读", "value", "fixed"))));
  }

  static String code(Executable call) {
    return assertThrows(KamiException.class, call).code();
  }

  static Map<String, Object> type(int type) {
    return Map.of("type", type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "rsa"})
  void kamiRechargeMovesAnUnusedCardOntoAnActivatedOneOnce(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    String target = s.card(type(0)); // 天卡
    String source = s.card(type(1)); // 周卡
    assertEquals("TARGET_CARD_NOT_ACTIVATED", code(() -> client.kamiRecharge(target, source)));
    client.login(target, "M-1");
    long before = client.query(target).available();
    Result ok = client.kamiRecharge(target, source);
    assertEquals("充值成功", ok.msg());
    long after = client.query(target).available();
    assertTrue(after - before > 7 * DAY - 60 && after - before <= 7 * DAY, before + " → " + after);
    KamiException again = assertThrows(KamiException.class, () -> client.kamiRecharge(target, source));
    assertEquals("SOURCE_CARD_USED", again.code());
    assertEquals("充值卡密已被使用", again.serverMessage().orElse(""));
    assertEquals(KamiException.Kind.API, again.kind());
    assertEquals("SOURCE_CARD_NOT_FOUND", code(() -> client.kamiRecharge(target, "NO-SUCH-CARD")));
    assertEquals("CARD_NOT_FOUND", code(() -> client.kamiRecharge("NO-SUCH-CARD", s.card(type(1)))));
    assertEquals("CARD_KIND_MISMATCH", code(() -> client.kamiRecharge(target, s.card(Map.of("type", 0, "uses", 5)))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "rsa"})
  void ipUnbindCoreHeartbeatAnyOnlineAndDisable(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    String card = s.card(Map.of("core", "c0de"));
    LoginResult session = client.login(card, "M-2");
    assertEquals("IP解绑成功", client.ipUnbind(card).msg());
    assertEquals("IP_NOT_BOUND", code(() -> client.ipUnbind(card)));
    assertEquals("c0de", client.getKamiCore(card).core());
    assertEquals("修改成功", client.modifyCore(card, "新的核心").msg());
    assertEquals("新的核心", client.getKamiCoreAsync(card).get(10, TimeUnit.SECONDS).core());
    assertEquals("DATA_TOO_LONG", code(() -> client.modifyCore(card, "x".repeat(17))));
    assertEquals("新的核心", client.getKamiCore(card).core());
    assertEquals("CARD_NOT_FOUND", code(() -> client.getKamiCore("NO-SUCH-CARD")));

    Result beat = client.heartbeatAny(session.statecode());
    assertEquals("在线", beat.msg());
    assertTrue(Math.abs(beat.time() - System.currentTimeMillis() / 1000) <= 5, beat.toString());
    assertEquals(1, client.onlineKami().count());
    String other = s.card(null);
    client.login(other, "M-3");
    assertEquals(2, client.onlineKamiAsync().get(10, TimeUnit.SECONDS).count());

    assertEquals("禁用成功", client.disable(card).msg());
    assertEquals("CARD_DISABLED", code(() -> client.disable(card)));
    assertEquals("STATECODE_NOT_FOUND", code(() -> client.heartbeatAny(session.statecode())));
    assertEquals(1, client.onlineKami().count());
    assertEquals("CARD_DISABLED", code(() -> client.getKamiCore(card)));
    assertEquals("CARD_DISABLED", code(() -> client.modifyCore(card, "x")));
    assertEquals("CARD_DISABLED", code(() -> client.login(card, "M-2")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "base64"})
  void appSignAndCloudVariables(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    Result signed = client.appSign("SIG-2");
    assertEquals("签名一致", signed.msg());
    assertEquals("SIG-2", signed.autograph());
    assertTrue(Math.abs(signed.time() - System.currentTimeMillis() / 1000) <= 5, signed.toString());
    KamiException mismatch = assertThrows(KamiException.class, () -> client.appSign("SIG-3"));
    assertEquals("APP_SIGN_MISMATCH", mismatch.code());
    assertEquals("应用签名不一致", mismatch.serverMessage().orElse(""));

    // the number is what t3sdk reads (msg / version), the display name is ver
    Result version = client.version();
    assertEquals("3.0.0", version.version());
    assertEquals("三代", version.name());
    Result update = client.checkUpdate("3.0.0");
    assertEquals(false, update.latest());
    assertEquals("3.1.0", update.version());
    assertEquals("三代加", update.name());
    assertEquals("https://example.com/3.1", update.upUrl());
    assertTrue(client.checkUpdate("3.1.0").latest());

    String card = s.card(null);
    assertEquals("start", client.getVariable(card, "v", "变量").value());
    assertEquals("start", client.getVariable(card, null, "变量").value()); // by name alone
    assertEquals("修改成功", client.modifyVariable(card, "v", "新值 ✓").msg());
    assertEquals("新值 ✓", client.getVariable(card, "v").value());
    assertEquals("修改成功", client.modifyVariableAsync(card, "v", "").get(10, TimeUnit.SECONDS).msg());
    assertEquals("", client.getVariable(card, "v").value());
    KamiException missing = assertThrows(KamiException.class, () -> client.getVariable(card, "missing"));
    assertEquals("VARIABLE_NOT_FOUND", missing.code());
    assertEquals("变量不存在", missing.serverMessage().orElse(""));
    assertEquals("VARIABLE_NOT_FOUND", code(() -> client.getVariable(card, "v", "只读"))); // name must match
    assertEquals("VARIABLE_READ_ONLY", code(() -> client.modifyVariable(card, "ro", "x")));
    assertEquals("fixed", client.getVariable(card, "ro").value());
    assertEquals("CARD_NOT_FOUND", code(() -> client.getVariable("NO-SUCH-CARD", "v")));
    // both empty: refused before any I/O
    KamiException none = assertThrows(KamiException.class, () -> client.getVariable(card, "", ""));
    assertEquals(KamiException.Kind.VALIDATION, none.kind());
  }

  @Test
  void parallelRechargesOfOneSourceCardSucceedExactlyOnce() throws Exception {
    Harness.Server s = server("plain");
    KamiClient client = s.client().build();
    int n = 8;
    String source = s.card(type(1));
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String target = s.card(type(0));
      client.login(target, "M-" + i);
      targets.add(target);
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> outcomes = new ArrayList<>();
      for (String target : targets) {
        Callable<String> task = () -> {
          go.await();
          try {
            return client.kamiRecharge(target, source).msg();
          } catch (KamiException e) {
            return e.code();
          }
        };
        outcomes.add(pool.submit(task));
      }
      go.countDown();
      List<String> got = new ArrayList<>();
      for (Future<String> f : outcomes) {
        got.add(f.get(30, TimeUnit.SECONDS));
      }
      assertEquals(1, got.stream().filter("充值成功"::equals).count(), got.toString());
      assertEquals(n - 1, got.stream().filter("SOURCE_CARD_USED"::equals).count(), got.toString());
      // exactly the winner's term grew by the week
      long grown = 0;
      for (String target : targets) {
        if (client.query(target).available() > 2 * DAY) {
          grown++;
        }
      }
      assertEquals(1, grown);
    } finally {
      pool.shutdownNow();
    }
  }
}
