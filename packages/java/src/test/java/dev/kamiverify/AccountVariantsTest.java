package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The card calls made with an account (t3sdk's unbind_user, ip_unbind_user, disable_user,
 * modify_core_by_user, get_variable_by_user, modify_variable_by_user) against real reference
 * servers, plain and encoded: each call's success and its documented errors, with the server's
 * own texts.
 */
class AccountVariantsTest {
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

  static Harness.Server server(String mode) throws IOException {
    return harness.server(mode, Map.of(
        "ipBinding", "ip",
        "unbindLimit", 2,
        "coreMaxBytes", 16,
        "variableMaxBytes", 16,
        "variables", List.of(
            Map.of("id", "v", "name", "变量", "value", "start", "writable", true),
            Map.of("id", "ro", "name", "只读", "value", "fixed"))));
  }

  static String user() {
    return "jvar" + ProcessHandle.current().pid() + "_" + N.incrementAndGet();
  }

  /** The refusal: its error code, checked to carry this server text. */
  static String refused(Executable call, String serverText) {
    KamiException e = assertThrows(KamiException.class, call);
    assertEquals(KamiException.Kind.API, e.kind(), e.toString());
    assertEquals(serverText, e.serverMessage().orElse(""), e.code());
    return e.code();
  }

  /** A registered account with a day card recharged, logged in once from DEV-1 (binding device and IP). */
  static String account(Harness.Server s, KamiClient client) throws IOException {
    String user = user();
    client.register(user, "secret-1");
    client.recharge(user, s.card(Map.of("type", 0)));
    client.userLogin(user, "secret-1", "DEV-1");
    return user;
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "base64"})
  void unbindUserFreesTheDeviceAndIpUnbindUserTheAddress(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    String user = account(s, client);
    assertEquals("DEVICE_MISMATCH", refused(() -> client.unbindUser(user, "secret-1", "DEV-2"), "请在原设备登录"));
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.unbindUser(user, "wrong-pw", "DEV-1"), "账号或密码错误"));
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.unbindUser(user(), "secret-1", "DEV-1"), "账号或密码错误"));
    assertEquals("解绑成功", client.unbindUser(user, "secret-1", "DEV-1").msg());
    assertEquals("USER_NOT_BOUND", refused(() -> client.unbindUser(user, "secret-1", "DEV-1"), "账号未绑定设备"));
    // the device is free: another one logs in and binds
    assertEquals(user, client.userLogin(user, "secret-1", "DEV-2").user());
    assertEquals("DEVICE_MISMATCH", refused(() -> client.userLogin(user, "secret-1", "DEV-1"), "请在原设备登录"));
    assertEquals("解绑成功", client.unbindUserAsync(user, "secret-1", "DEV-2").get(10, TimeUnit.SECONDS).msg());
    client.userLogin(user, "secret-1", "DEV-3");
    assertEquals("UNBIND_LIMIT_REACHED", refused(() -> client.unbindUser(user, "secret-1", "DEV-3"), "解绑次数已达上限"));

    // ipBinding "ip": the login bound 127.0.0.1
    String other = account(s, client);
    assertEquals("IP解绑成功", client.ipUnbindUser(other, "secret-1").msg());
    assertEquals("USER_IP_NOT_BOUND", refused(() -> client.ipUnbindUser(other, "secret-1"), "账号未绑定IP"));
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.ipUnbindUser(other, "wrong-pw"), "账号或密码错误"));
    client.userLogin(other, "secret-1", "DEV-1"); // binds the address again
    assertEquals("IP解绑成功", client.ipUnbindUserAsync(other, "secret-1").get(10, TimeUnit.SECONDS).msg());
    assertEquals("USER_IP_NOT_BOUND", refused(() -> client.ipUnbindUser(other, "secret-1"), "账号未绑定IP"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "rsa"})
  void modifyCoreByUserIsReadBackWithGetUserCore(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    String user = account(s, client);
    assertEquals("修改成功", client.modifyCoreByUser(user, "secret-1", "核心").msg());
    assertEquals("核心", client.getUserCore(user, "secret-1").core());
    assertEquals("DATA_TOO_LONG", refused(() -> client.modifyCoreByUser(user, "secret-1", "十七个字节以上了"), "数据长度超出限制"));
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.modifyCoreByUser(user, "wrong-pw", "x"), "账号或密码错误"));
    assertEquals("核心", client.getUserCore(user, "secret-1").core());
    assertEquals("修改成功", client.modifyCoreByUserAsync(user, "secret-1", "").get(10, TimeUnit.SECONDS).msg());
    assertEquals("", client.getUserCore(user, "secret-1").core());
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "base64"})
  void cloudVariablesByAccount(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    String user = account(s, client);
    assertEquals("start", client.getVariableByUser(user, "secret-1", "v", "变量").value());
    assertEquals("start", client.getVariableByUser(user, "secret-1", null, "变量").value()); // by name alone
    assertEquals("修改成功", client.modifyVariableByUser(user, "secret-1", "v", "账号写的").msg());
    assertEquals("账号写的", client.getVariableByUser(user, "secret-1", "v").value());
    // variables are the app's: a card reads what the account wrote
    assertEquals("账号写的", client.getVariable(s.card(null), "v").value());
    assertEquals("修改成功",
        client.modifyVariableByUserAsync(user, "secret-1", "v", "异步").get(10, TimeUnit.SECONDS).msg());
    assertEquals("异步", client.getVariableByUserAsync(user, "secret-1", "v", "").get(10, TimeUnit.SECONDS).value());

    assertEquals("VARIABLE_NOT_FOUND", refused(() -> client.getVariableByUser(user, "secret-1", "missing"), "变量不存在"));
    assertEquals("VARIABLE_NOT_FOUND", refused(() -> client.getVariableByUser(user, "secret-1", "v", "只读"), "变量不存在"));
    assertEquals("VARIABLE_NOT_FOUND", refused(() -> client.modifyVariableByUser(user, "secret-1", "missing", "x"), "变量不存在"));
    assertEquals("VARIABLE_READ_ONLY", refused(() -> client.modifyVariableByUser(user, "secret-1", "ro", "x"), "变量不可修改"));
    assertEquals("DATA_TOO_LONG", refused(() -> client.modifyVariableByUser(user, "secret-1", "v", "十七个字节以上了"), "数据长度超出限制"));
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.getVariableByUser(user, "wrong-pw", "v"), "账号或密码错误"));
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.modifyVariableByUser(user, "wrong-pw", "v", "x"), "账号或密码错误"));
    assertEquals("异步", client.getVariableByUser(user, "secret-1", "v").value());

    // an account that never recharged has no term
    String fresh = user();
    client.register(fresh, "secret-1");
    assertEquals("USER_NOT_RECHARGED", refused(() -> client.getVariableByUser(fresh, "secret-1", "v"), "账号未充值"));
    assertEquals("USER_NOT_RECHARGED", refused(() -> client.modifyVariableByUser(fresh, "secret-1", "v", "x"), "账号未充值"));
    assertEquals("异步", client.getVariableByUser(user, "secret-1", "v").value());
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "rsa"})
  void disableUserEndsTheAccountsSessionsAndLaterCallsAreRefused(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    String user = account(s, client);
    UserLoginResult login = client.userLogin(user, "secret-1", "DEV-1");
    assertEquals("在线", client.userHeartbeat(user, "secret-1", login.statecode()).msg());
    assertEquals("USER_LOGIN_FAILED", refused(() -> client.disableUser(user, "wrong-pw"), "账号或密码错误"));
    assertEquals("禁用成功", client.disableUser(user, "secret-1").msg());
    assertEquals("STATECODE_NOT_FOUND", code(() -> client.userHeartbeat(user, "secret-1", login.statecode())));
    assertEquals("USER_DISABLED", refused(() -> client.userLogin(user, "secret-1", "DEV-1"), "账号被禁用"));
    assertEquals("USER_DISABLED", refused(() -> client.disableUser(user, "secret-1"), "账号被禁用"));
    assertEquals("USER_DISABLED", refused(() -> client.getVariableByUser(user, "secret-1", "v"), "账号被禁用"));
    assertEquals("USER_DISABLED", refused(() -> client.modifyCoreByUser(user, "secret-1", "x"), "账号被禁用"));
    assertEquals("USER_DISABLED", refused(() -> client.unbindUser(user, "secret-1", "DEV-1"), "账号被禁用"));

    String other = account(s, client);
    assertEquals("禁用成功", client.disableUserAsync(other, "secret-1").get(10, TimeUnit.SECONDS).msg());
    assertEquals("USER_DISABLED", refused(() -> client.ipUnbindUser(other, "secret-1"), "账号被禁用"));
  }

  static String code(Executable call) {
    return assertThrows(KamiException.class, call).code();
  }

  @Test
  void parallelUnbindUserCallsWithTheRightDeviceUnbindOnce() throws Exception {
    Harness.Server s = server("plain");
    KamiClient client = s.client().build();
    String user = account(s, client);
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<String> task = () -> {
          go.await();
          try {
            return client.unbindUser(user, "secret-1", "DEV-1").msg();
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
      assertEquals(1, got.stream().filter("解绑成功"::equals).count(), got.toString());
      assertEquals(n - 1, got.stream().filter("USER_NOT_BOUND"::equals).count(), got.toString());
      // one unbind counted: with unbindLimit 2 one more is allowed, then the limit holds
      client.userLogin(user, "secret-1", "DEV-2");
      assertEquals("解绑成功", client.unbindUser(user, "secret-1", "DEV-2").msg());
      client.userLogin(user, "secret-1", "DEV-3");
      assertEquals("UNBIND_LIMIT_REACHED", code(() -> client.unbindUser(user, "secret-1", "DEV-3")));
    } finally {
      pool.shutdownNow();
    }
  }
}
