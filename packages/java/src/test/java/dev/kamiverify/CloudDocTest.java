package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * cloudDoc (t3sdk get_cloud_doc) against real reference servers, plain and encoded: a live
 * login's token opens the document, for card and account logins; a wrong token, a statecode, and
 * the token of an ended or expired session are token无效.
 */
class CloudDocTest {
  static final String DOC = "云文档\n第一章: 安装 📦\n\"quotes\" & <tags>";
  static final int VALIDITY = 300;
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

  static Harness.Server server(String mode) throws IOException {
    return harness.server(mode, Map.of("cloudDoc", DOC, "statecodeValiditySeconds", VALIDITY));
  }

  static void tokenInvalid(Executable call) {
    KamiException e = assertThrows(KamiException.class, call);
    assertEquals("TOKEN_INVALID", e.code());
    assertEquals("token无效", e.serverMessage().orElse(""));
    assertEquals(KamiException.Kind.API, e.kind());
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "base64", "rsa"})
  void aLiveLoginsTokenOpensTheDocument(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    LoginResult login = client.login(s.card(null), "DOC-1");
    Result doc = client.cloudDoc(login.token());
    assertEquals(DOC, doc.content());
    assertEquals(DOC, doc.msg());
    assertEquals(DOC, client.cloudDocAsync(login.token()).get(10, TimeUnit.SECONDS).content());
    tokenInvalid(() -> client.cloudDoc("0".repeat(32)));
    tokenInvalid(() -> client.cloudDoc(login.statecode()));
    tokenInvalid(() -> client.cloudDoc(login.token() + "x"));
    // no token: refused before any I/O
    assertEquals(KamiException.Kind.VALIDATION, assertThrows(KamiException.class, () -> client.cloudDoc("")).kind());
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "base64"})
  void theTokenDiesWithItsSession(String mode) throws Exception {
    Harness.Server s = server(mode);
    KamiClient client = s.client().build();
    String unbound = s.card(null);
    LoginResult first = client.login(unbound, "DOC-2");
    assertEquals(DOC, client.cloudDoc(first.token()).content());
    client.unbind(unbound, "DOC-2");
    tokenInvalid(() -> client.cloudDoc(first.token()));

    LoginResult expiring = client.login(s.card(null), "DOC-3");
    assertEquals(DOC, client.cloudDoc(expiring.token()).content());
    s.advance(Duration.ofSeconds(VALIDITY + 1));
    tokenInvalid(() -> client.cloudDoc(expiring.token()));
  }

  @Test
  void anAccountLoginsTokenOpensItUntilThePasswordChanges() throws Exception {
    Harness.Server s = server("base64");
    KamiClient client = s.client().build();
    String user = "jdoc" + ProcessHandle.current().pid();
    client.register(user, "secret-1");
    client.recharge(user, s.card(Map.of("type", 0)));
    UserLoginResult login = client.userLogin(user, "secret-1", "DOC-4");
    assertEquals(DOC, client.cloudDoc(login.token()).content());
    client.changePassword(user, "secret-1", "secret-2");
    tokenInvalid(() -> client.cloudDoc(login.token()));
  }

  @Test
  void switchedOffItIsEndpointDisabled() throws Exception {
    Harness.Server s = harness.server("plain", Map.of("cloudDoc", DOC, "endpoints", Map.of("cloud_doc", false)));
    KamiClient client = s.client().build();
    LoginResult login = client.login(s.card(null), "DOC-5");
    KamiException e = assertThrows(KamiException.class, () -> client.cloudDoc(login.token()));
    assertEquals("ENDPOINT_DISABLED", e.code());
    assertEquals("接口未开启", e.serverMessage().orElse(""));
  }
}
