package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Conformance with spec/catalogue/t3.json: every endpoint is a route key ({@link Endpoint}) and a
 * client method (camelCase: check_update → checkUpdate), sends the catalogue's fields in its order,
 * and is retried exactly when the catalogue says it is idempotent; every variant (a card route
 * called with an account) is a method named for its t3sdk call that sends the variant's fields in
 * order on that route. PENDING names the endpoints not built yet; it only shrinks.
 */
class CatalogueTest {
  /** Catalogue endpoints this client does not call yet. */
  static final List<String> PENDING = List.of();

  static final JsonNode CATALOGUE;

  static {
    try {
      CATALOGUE = Json.MAPPER.readTree(Paths.get("../../spec/catalogue/t3.json").toAbsolutePath().normalize().toFile());
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One call of each endpoint, every optional field given, so every catalogue field is sent. */
  static final Map<String, Consumer<KamiClient>> CALLS = new LinkedHashMap<>();

  static {
    CALLS.put("login", c -> c.login("CARD", "DEV"));
    CALLS.put("heartbeat", c -> c.heartbeat("SC", "CARD"));
    CALLS.put("query", c -> c.query("CARD"));
    CALLS.put("unbind", c -> c.unbind("CARD", "DEV"));
    CALLS.put("ip_unbind", c -> c.ipUnbind("CARD"));
    CALLS.put("disable", c -> c.disable("CARD"));
    CALLS.put("kami_recharge", c -> c.kamiRecharge("TARGET", "SOURCE"));
    CALLS.put("get_kami_core", c -> c.getKamiCore("CARD"));
    CALLS.put("modify_core", c -> c.modifyCore("CARD", "core"));
    CALLS.put("get_variable", c -> c.getVariable("CARD", "v", "name"));
    CALLS.put("modify_variable", c -> c.modifyVariable("CARD", "v", "value"));
    CALLS.put("heartbeat_any", c -> c.heartbeatAny("SC"));
    CALLS.put("online_kami", KamiClient::onlineKami);
    CALLS.put("notice", KamiClient::notice);
    CALLS.put("version", KamiClient::version);
    CALLS.put("check_update", c -> c.checkUpdate("1.0"));
    CALLS.put("cloud_doc", c -> c.cloudDoc("0123456789abcdef0123456789abcdef"));
    CALLS.put("app_sign", c -> c.appSign("SIG"));
    CALLS.put("register", c -> c.register("user", "pass", "me@example.com"));
    CALLS.put("user_login", c -> c.userLogin("user", "pass", "DEV"));
    CALLS.put("user_heartbeat", c -> c.userHeartbeat("user", "pass", "SC"));
    CALLS.put("change_password", c -> c.changePassword("user", "old", "new"));
    CALLS.put("user_cancel", c -> c.userCancel("user", "pass"));
    CALLS.put("recharge", c -> c.recharge("user", "CARD"));
    CALLS.put("get_user_core", c -> c.getUserCore("user", "pass"));
    CALLS.put("online_user", KamiClient::onlineUser);
  }

  /** One call of each variant, by its t3sdk method name, every optional field given. */
  static final Map<String, Consumer<KamiClient>> VARIANT_CALLS = new LinkedHashMap<>();

  static {
    VARIANT_CALLS.put("unbind_user", c -> c.unbindUser("user", "pass", "DEV"));
    VARIANT_CALLS.put("ip_unbind_user", c -> c.ipUnbindUser("user", "pass"));
    VARIANT_CALLS.put("disable_user", c -> c.disableUser("user", "pass"));
    VARIANT_CALLS.put("modify_core_by_user", c -> c.modifyCoreByUser("user", "pass", "core"));
    VARIANT_CALLS.put("get_variable_by_user", c -> c.getVariableByUser("user", "pass", "v", "name"));
    VARIANT_CALLS.put("modify_variable_by_user", c -> c.modifyVariableByUser("user", "pass", "v", "value"));
  }

  /** Every variant of every endpoint, each as {endpoint, variant}. */
  static List<JsonNode[]> variants() {
    List<JsonNode[]> out = new ArrayList<>();
    for (JsonNode e : endpoints()) {
      if (e.has("variants")) {
        e.get("variants").forEach(v -> out.add(new JsonNode[] {e, v}));
      }
    }
    assertTrue(out.size() >= 6, "the catalogue lists the account variants");
    return out;
  }

  /** The names a request sends: its own fields in order, then the common trailing ones. */
  static List<String> expectedNames(JsonNode request) {
    List<String> expected = new ArrayList<>();
    request.forEach(f -> expected.add(f.get("name").asText()));
    CATALOGUE.get("common").get("request").forEach(f -> expected.add(f.get("name").asText()));
    return expected;
  }

  static String camel(String name) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char ch : name.toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return b.toString();
  }

  static List<JsonNode> endpoints() {
    List<JsonNode> out = new ArrayList<>();
    CATALOGUE.get("endpoints").forEach(out::add);
    assertTrue(out.size() > 20, "the catalogue lists its endpoints");
    return out;
  }

  static boolean hasPublicMethod(String name) {
    return Arrays.stream(KamiClient.class.getMethods())
        .anyMatch(m -> m.getName().equals(name) && Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()));
  }

  /** Every route this enum knows, to a fake two-host server that answers with {@code reply}. */
  static KamiClient client(FakeTransport t) {
    KamiClient.Builder b = KamiClient.builder("http://a.invalid", "appkey").fallbackUrls("http://b.invalid")
        .transport(t).maxRetries(0);
    for (Endpoint e : Endpoint.values()) {
      b.route(e, "/" + e.key());
    }
    return b.build();
  }

  static List<String> sentNames(Transport.Request r) {
    List<String> names = new ArrayList<>();
    for (String pair : new String(r.body, StandardCharsets.US_ASCII).split("&")) {
      names.add(pair.substring(0, pair.indexOf('=')));
    }
    return names;
  }

  @Test
  void everyCatalogueEndpointIsARouteKeyAndAMethodOrPending() {
    System.out.println("catalogue endpoints pending in the Java client: " + (PENDING.isEmpty() ? "none" : String.join(", ", PENDING)));
    List<String> missing = new ArrayList<>();
    for (JsonNode e : endpoints()) {
      String name = e.get("name").asText();
      if (PENDING.contains(name)) {
        continue;
      }
      if (!Endpoint.find(name).isPresent()) {
        missing.add(name + ": no Endpoint with key " + name);
      }
      if (!hasPublicMethod(camel(name))) {
        missing.add(name + ": no KamiClient method " + camel(name));
      }
      if (!hasPublicMethod(camel(name) + "Async")) {
        missing.add(name + ": no KamiClient method " + camel(name) + "Async");
      }
      if (!CALLS.containsKey(name)) {
        missing.add(name + ": no call in CatalogueTest.CALLS");
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void everyVariantIsAMethodNamedForItsT3sdkCall() {
    List<String> missing = new ArrayList<>();
    for (JsonNode[] ev : variants()) {
      for (JsonNode sdk : ev[1].get("sdk")) {
        String method = camel(sdk.asText());
        if (!hasPublicMethod(method)) {
          missing.add(ev[0].get("name").asText() + ": no KamiClient method " + method);
        }
        if (!hasPublicMethod(method + "Async")) {
          missing.add(ev[0].get("name").asText() + ": no KamiClient method " + method + "Async");
        }
        if (!VARIANT_CALLS.containsKey(sdk.asText())) {
          missing.add(sdk.asText() + ": no call in CatalogueTest.VARIANT_CALLS");
        }
      }
    }
    assertEquals(List.of(), missing);
    // and no call here that the catalogue does not list
    List<String> listed = new ArrayList<>();
    variants().forEach(ev -> ev[1].get("sdk").forEach(sdk -> listed.add(sdk.asText())));
    assertEquals(listed, new ArrayList<>(VARIANT_CALLS.keySet()));
  }

  @Test
  void everyVariantSendsItsFieldsInOrderOnTheCardRoute() {
    for (JsonNode[] ev : variants()) {
      String name = ev[0].get("name").asText();
      for (JsonNode sdk : ev[1].get("sdk")) {
        FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":\"201\",\"msg\":\"账号或密码错误\"}"));
        KamiException refusal = org.junit.jupiter.api.Assertions.assertThrows(KamiException.class,
            () -> VARIANT_CALLS.get(sdk.asText()).accept(client(t)), sdk.asText());
        assertEquals("USER_LOGIN_FAILED", refusal.code(), sdk.asText());
        assertEquals(1, t.requests.size(), sdk.asText());
        assertEquals("http://a.invalid/" + name, t.requests.get(0).url, sdk.asText() + ": the card route");
        assertEquals(expectedNames(ev[1].get("request")), sentNames(t.requests.get(0)),
            sdk.asText() + ": fields or their order");
      }
    }
  }

  @Test
  void variantsAreResentExactlyWhenTheirCardRouteIsIdempotent() {
    for (JsonNode[] ev : variants()) {
      for (JsonNode sdk : ev[1].get("sdk")) {
        FakeTransport t = new FakeTransport(r -> new SocketTimeoutException("Read timed out"));
        KamiException err = org.junit.jupiter.api.Assertions.assertThrows(KamiException.class,
            () -> VARIANT_CALLS.get(sdk.asText()).accept(client(t)), sdk.asText());
        assertEquals(ErrorCodes.TIMEOUT, err.code(), sdk.asText());
        assertEquals(ev[0].get("idempotent").asBoolean() ? 2 : 1, t.requests.size(), sdk.asText());
      }
    }
  }

  @Test
  void variantArgumentsAreValidatedBeforeAnyIo() {
    List<Consumer<KamiClient>> bad = List.of(
        c -> c.unbindUser("", "pass", "DEV"),
        c -> c.unbindUser("user", "pass", "it's"),
        c -> c.ipUnbindUser("user", ""),
        c -> c.disableUser(null, "pass"),
        c -> c.modifyCoreByUser("user", "pass", null),
        c -> c.getVariableByUser("user", "pass", "", ""),
        c -> c.getVariableByUser("user", null, "v"),
        c -> c.modifyVariableByUser("user", "pass", "", "x"),
        c -> c.modifyVariableByUser("user", "pass", "v", null));
    for (int i = 0; i < bad.size(); i++) {
      FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":\"200\",\"msg\":\"ok\"}"));
      Consumer<KamiClient> call = bad.get(i);
      KamiException e = org.junit.jupiter.api.Assertions.assertThrows(KamiException.class, () -> call.accept(client(t)),
          "bad call " + i);
      assertEquals(KamiException.Kind.VALIDATION, e.kind(), "bad call " + i);
      assertEquals(0, t.requests.size(), "bad call " + i + " reached the transport");
    }
  }

  @Test
  void pendingListsOnlyCatalogueEndpointsTheClientReallyLacks() {
    List<String> names = new ArrayList<>();
    endpoints().forEach(e -> names.add(e.get("name").asText()));
    for (String name : PENDING) {
      assertTrue(names.contains(name), name + " is not in the catalogue");
      assertFalse(Endpoint.find(name).isPresent(), name + " is pending but has an Endpoint");
      assertFalse(hasPublicMethod(camel(name)), name + " is pending but has a method");
    }
  }

  @Test
  void theEndpointTableIsTheCatalogues() {
    Map<String, Boolean> idempotent = new LinkedHashMap<>();
    endpoints().forEach(e -> idempotent.put(e.get("name").asText(), e.get("idempotent").asBoolean()));
    for (Endpoint e : Endpoint.values()) {
      assertTrue(idempotent.containsKey(e.key()), e + " is not a catalogue endpoint");
      assertEquals(idempotent.get(e.key()), e.idempotent(), e + ": idempotent differs from the catalogue");
    }
  }

  @Test
  void everyCallSendsTheCatalogueFieldsInOrder() {
    for (JsonNode e : endpoints()) {
      String name = e.get("name").asText();
      if (PENDING.contains(name)) {
        continue;
      }
      List<String> expected = expectedNames(e.get("request"));
      FakeTransport t = new FakeTransport(r -> FakeTransport.json(200, "{\"code\":\"201\",\"msg\":\"卡密不存在\"}"));
      try {
        CALLS.get(name).accept(client(t));
      } catch (KamiException expectedRefusal) {
        assertEquals("CARD_NOT_FOUND", expectedRefusal.code(), name);
      }
      assertEquals(1, t.requests.size(), name);
      assertEquals("http://a.invalid/" + name, t.requests.get(0).url, name);
      assertEquals(expected, sentNames(t.requests.get(0)), name + ": fields or their order");
    }
  }

  @Test
  void onlyIdempotentCallsAreResentAfterTheyMayHaveArrived() {
    for (JsonNode e : endpoints()) {
      String name = e.get("name").asText();
      if (PENDING.contains(name)) {
        continue;
      }
      FakeTransport t = new FakeTransport(r -> new SocketTimeoutException("Read timed out"));
      KamiException err = org.junit.jupiter.api.Assertions.assertThrows(KamiException.class,
          () -> CALLS.get(name).accept(client(t)), name);
      assertEquals(ErrorCodes.TIMEOUT, err.code(), name);
      // two hosts: an idempotent call fails over to the second, the others stop at the first
      assertEquals(e.get("idempotent").asBoolean() ? 2 : 1, t.requests.size(), name);
    }
  }

  @Test
  void everyMessageCodeTheCatalogueNamesIsInTheMessageTable() {
    List<String> unknown = new ArrayList<>();
    CATALOGUE.get("common").get("errors").forEach(c -> {
      if (!ErrorCodes.knowsT3Code(c.asText())) {
        unknown.add("common: " + c.asText());
      }
    });
    for (JsonNode e : endpoints()) {
      for (String group : new String[] {"success", "errors"}) {
        e.get("messages").get(group).forEach(c -> {
          if (!ErrorCodes.knowsT3Code(c.asText())) {
            unknown.add(e.get("name").asText() + ": " + c.asText());
          }
        });
      }
    }
    assertEquals(List.of(), unknown);
  }
}
