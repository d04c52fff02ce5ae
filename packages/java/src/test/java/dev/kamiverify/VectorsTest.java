package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every file of spec/vectors, every case; a file without a handler fails the suite. */
class VectorsTest {
  static final Path VECTORS = Paths.get("../../spec/vectors").toAbsolutePath().normalize();

  static JsonNode read(String name) {
    try {
      return Json.MAPPER.readTree(VECTORS.resolve(name).toFile());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static List<Param> params(JsonNode pairs) {
    List<Param> out = new ArrayList<>();
    pairs.forEach(p -> out.add(Param.of(p.get(0).asText(), p.get(1).asText())));
    return out;
  }

  static byte[] hex(String s) {
    return Codec.fromHex(s);
  }

  static String lowerHex(byte[] b) {
    return Codec.hexUpper(b).toLowerCase();
  }

  /** Textbook RSA with the test private key: m = c^d mod n, then strip type-2 padding. */
  static String rsaDecrypt(String ciphertextHex) {
    JsonNode key = read("rsa-test-key.json");
    BigInteger n = new BigInteger(key.get("nHex").asText(), 16);
    BigInteger d = new BigInteger(key.get("dHex").asText(), 16);
    byte[] all = hex(ciphertextHex);
    StringBuilder out = new StringBuilder();
    java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
    for (int off = 0; off < all.length; off += 128) {
      byte[] m = Codec.Rsa.toFixed(new BigInteger(1, Arrays.copyOfRange(all, off, off + 128)).modPow(d, n), 128);
      assertEquals(0, m[0]);
      assertEquals(2, m[1]);
      int i = 2;
      while (m[i] != 0) {
        i++;
      }
      assertTrue(i >= 10, "PS is at least 8 bytes");
      plain.write(m, i + 1, 128 - i - 1);
    }
    return out.append(new String(plain.toByteArray(), StandardCharsets.UTF_8)).toString();
  }

  static DynamicContainer cases(String name, JsonNode list, Consumer<JsonNode> check) {
    assertTrue(list != null && list.size() > 0, name + " has cases");
    List<DynamicTest> tests = new ArrayList<>();
    int i = 0;
    for (JsonNode c : list) {
      String label = c.has("name") ? c.get("name").asText() : c.has("text") ? c.get("text").asText() : "#" + i;
      tests.add(DynamicTest.dynamicTest(name + " " + i + " " + label, () -> check.accept(c)));
      i++;
    }
    return DynamicContainer.dynamicContainer(name, tests);
  }

  static final Map<String, java.util.function.Function<JsonNode, Stream<DynamicNode>>> HANDLERS = new HashMap<>();

  static {
    HANDLERS.put("bytes.json", v -> Stream.of(
        cases("text", v.get("cases"), c -> {
          byte[] utf8 = c.get("text").asText().getBytes(StandardCharsets.UTF_8);
          assertEquals(c.get("hex").asText(), lowerHex(utf8));
          assertEquals(c.get("hexUpper").asText(), Codec.hexUpper(utf8));
          assertEquals(c.get("base64").asText(), Base64.getEncoder().encodeToString(utf8));
        }),
        cases("binary", v.get("binary"), c -> {
          assertEquals(c.get("base64").asText(), Base64.getEncoder().encodeToString(hex(c.get("hex").asText())));
          assertEquals(c.get("hex").asText(), lowerHex(Base64.getDecoder().decode(c.get("base64").asText())));
        })));

    HANDLERS.put("sign-plain.json", v -> Stream.of(cases("sign-plain", v.get("cases"), c -> {
      Protocol.Signed s = Protocol.sign(params(c.get("params")), v.get("appKey").asText(), Codec.PLAIN, v.get("t").asLong());
      assertEquals(c.get("signText").asText(), s.signText);
      assertEquals(c.get("s").asText(), Protocol.md5Hex(s.signText));
      assertEquals(params(c.get("fields")), s.fields);
      assertEquals(c.get("formBody").asText(), Protocol.formBody(s.fields));
    })));

    HANDLERS.put("sign-base64.json", v -> Stream.of(cases("sign-base64", v.get("cases"), c -> {
      Codec codec = new Codec.Alphabet(v.get("alphabet").asText());
      Protocol.Signed s = Protocol.sign(params(c.get("params")), v.get("appKey").asText(), codec, v.get("t").asLong());
      for (JsonNode e : c.get("encodedValues")) {
        assertEquals(e.get("hex").asText(), codec.encodeValue(e.get("plain").asText()));
      }
      assertEquals(c.get("signText").asText(), s.signText);
      assertEquals(c.get("s").asText(), Protocol.md5Hex(s.signText));
      assertEquals(c.get("sEncoded").asText(), codec.encodeValue(c.get("s").asText()));
      assertEquals(params(c.get("fields")), s.fields);
      assertEquals(c.get("formBody").asText(), Protocol.formBody(s.fields));
    })));

    HANDLERS.put("sign-rsa.json", v -> Stream.of(cases("sign-rsa", v.get("cases"), c -> {
      List<Param> fields = params(c.get("fields"));
      for (JsonNode e : c.get("encryptedValues")) {
        assertEquals(e.get("plaintext").asText(), rsaDecrypt(e.get("ciphertextHex").asText()));
      }
      assertEquals(c.get("signText").asText(), Protocol.signText(fields, v.get("appKey").asText()));
      assertEquals(c.get("s").asText(), Protocol.md5Hex(c.get("signText").asText()));
      assertEquals(c.get("s").asText(), rsaDecrypt(c.get("sEncrypted").get("ciphertextHex").asText()));
      // our own encryption of the same params decrypts back (fresh padding each time)
      Codec rsa = new Codec.Rsa(RsaKeys.parsePublicKey(read("rsa-test-key.json").get("publicKeySpkiPem").asText()));
      Protocol.Signed s = Protocol.sign(params(c.get("params")), v.get("appKey").asText(), rsa, v.get("t").asLong());
      for (int i = 0; i < s.fields.size() - 2; i++) {
        assertEquals(params(c.get("params")).get(i).value(), rsaDecrypt(s.fields.get(i).value()));
      }
      assertEquals(Protocol.md5Hex(s.signText), rsaDecrypt(s.fields.get(s.fields.size() - 1).value()));
    })));

    HANDLERS.put("alphabet-base64.json", v -> Stream.of(
        cases("values", v.get("values"), c -> {
          Codec.Alphabet codec = new Codec.Alphabet(v.get("alphabets").get(c.get("alphabet").asText()).asText());
          String text = c.get("text").asText();
          assertEquals(c.get("standardBase64").asText(), Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
          assertEquals(c.get("alphabetBase64").asText(), codec.toAlphabet(text));
          assertEquals(c.get("requestHex").asText(), codec.encodeValue(text));
          assertEquals(text, codec.decodeResponse(c.get("alphabetBase64").asText()));
        }),
        cases("responses", v.get("responses"), c -> {
          Codec.Alphabet codec = new Codec.Alphabet(v.get("alphabets").get(c.get("alphabet").asText()).asText());
          assertEquals(c.get("json").asText(), codec.decodeResponse(c.get("body").asText()));
          assertEquals(c.get("body").asText(), codec.toAlphabet(c.get("json").asText()));
        }),
        cases("invalidAlphabets", v.get("invalidAlphabets"), c ->
            assertThrows(IllegalArgumentException.class, () -> new Codec.Alphabet(c.get("alphabet").asText()),
                c.get("reason").asText()))));

    HANDLERS.put("rsa-test-key.json", v -> Stream.of(DynamicTest.dynamicTest("key parsers", () -> {
      BigInteger n = new BigInteger(v.get("nHex").asText(), 16);
      BigInteger e = new BigInteger(v.get("eHex").asText(), 16);
      for (String field : new String[] {"publicKeySpkiPem", "publicKeyPkcs1Pem", "publicKeySpkiDerBase64"}) {
        RSAPublicKey key = RsaKeys.parsePublicKey(v.get(field).asText());
        assertEquals(n, key.getModulus(), field);
        assertEquals(e, key.getPublicExponent(), field);
      }
      String pkcs8 = v.get("privateKeyPkcs8Pem").asText().replaceAll("-----[A-Z ]+-----|\\s", "");
      RSAPrivateKey priv = (RSAPrivateKey) KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8)));
      assertEquals(new BigInteger(v.get("dHex").asText(), 16), priv.getPrivateExponent());
      assertThrows(IllegalArgumentException.class, () -> RsaKeys.parsePublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
    })));

    HANDLERS.put("rsa-values.json", v -> Stream.of(cases("rsa-values", v.get("values"), c -> {
      assertEquals(c.get("plaintext").asText(), rsaDecrypt(c.get("ciphertextHex").asText()));
      assertEquals(c.get("blocks").asInt() * 256, c.get("ciphertextHex").asText().length());
      assertEquals(c.get("plaintextBytes").asInt(), c.get("plaintext").asText().getBytes(StandardCharsets.UTF_8).length);
      Codec rsa = new Codec.Rsa(RsaKeys.parsePublicKey(read("rsa-test-key.json").get("publicKeyPkcs1Pem").asText()));
      String mine = rsa.encodeValue(c.get("plaintext").asText());
      assertEquals(c.get("blocks").asInt() * 256, mine.length());
      assertEquals(c.get("plaintext").asText(), rsaDecrypt(mine));
    })));

    HANDLERS.put("rsa-responses.json", v -> Stream.of(cases("rsa-responses", v.get("responses"), c -> {
      Codec rsa = new Codec.Rsa(RsaKeys.parsePublicKey(read("rsa-test-key.json").get("publicKeySpkiPem").asText()));
      assertEquals(c.get("plaintext").asText(), rsa.decodeResponse(c.get("body").asText()));
      assertEquals(c.get("body").asText(), RsaSigner.encryptPrivate(c.get("plaintext").asText()));
    })));

    HANDLERS.put("token.json", v -> Stream.of(cases("token", v.get("cases"), c -> {
      String signText = c.get("signText").isNull() ? "" : c.get("signText").asText();
      String token = Protocol.loginToken(Json.text(c.get("id")), v.get("appKey").asText(), signText,
          c.get("endTime").asText(), c.get("date").asText());
      assertEquals(c.get("token").asText(), token);
      assertEquals(c.get("statecode").asText(), Protocol.statecode(token, Json.text(c.get("time"))));
    })));

    HANDLERS.put("beijing-time.json", v -> Stream.of(
        cases("cases", v.get("cases"), c -> {
          long epoch = c.get("epochSeconds").asLong();
          assertEquals(c.get("minute").asText(), BeijingTime.minute(epoch));
          assertEquals(c.get("dateTime").asText(), BeijingTime.dateTime(epoch));
          assertEquals(Instant.ofEpochSecond(epoch), BeijingTime.parse(c.get("dateTime").asText()).get());
        }),
        cases("invalid", v.get("invalidDateTimes"), c -> assertFalse(BeijingTime.parse(c.asText()).isPresent(), c.asText()))));

    HANDLERS.put("potato-sign.json", v -> Stream.of(cases("potato-sign", v.get("cases"), c -> {
      String secret = c.get("signSecret").isNull() ? null : c.get("signSecret").asText();
      String token = c.get("apiUserToken").isNull() ? null : c.get("apiUserToken").asText();
      Map<String, String> headers = Potato.headers(c.get("askKey").asText(), token, secret, c.get("timeMs").asLong());
      Map<String, String> expected = new HashMap<>();
      c.get("headers").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asText()));
      assertEquals(expected, headers);
      if (secret != null) {
        assertEquals(c.get("sign").asText(), Protocol.potatoSign(secret, c.get("timeMs").asLong()));
      }
    })));

    HANDLERS.put("messages.json", v -> {
      List<DynamicNode> nodes = new ArrayList<>();
      for (String group : new String[] {"seed", "other"}) {
        nodes.add(cases("t3." + group, v.get("t3").get(group), c -> {
          assertEquals(c.get("errorCode").asText(), ErrorCodes.forT3(c.get("message").asText()));
          assertEquals(c.get("errorCode").asText(), ErrorCodes.forT3("  " + c.get("message").asText() + "\n"));
        }));
      }
      nodes.add(cases("t3.success", v.get("t3").get("success"), c ->
          assertTrue(ErrorCodes.isT3SuccessText(c.get("message").asText()))));
      nodes.add(cases("potato", v.get("potato"), c ->
          assertEquals(c.get("errorCode").asText(), ErrorCodes.forPotato(c.get("message").asText(), "999"))));
      nodes.add(cases("potatoEnvelopeFallback", v.get("potatoEnvelopeFallback"), c ->
          assertEquals(c.get("errorCode").asText(), ErrorCodes.forPotato("一个未知的错误", c.get("serverCode").asText()))));
      nodes.add(DynamicTest.dynamicTest("unknownMessage", () -> {
        assertEquals(v.get("unknownMessage").get("errorCode").asText(), ErrorCodes.forT3(v.get("unknownMessage").get("message").asText()));
        assertEquals(v.get("unknownMessage").get("errorCode").asText(), ErrorCodes.forPotato(v.get("unknownMessage").get("message").asText(), "12345"));
      }));
      nodes.add(DynamicTest.dynamicTest("the jar's table is the spec's table", () -> {
        try (java.io.InputStream in = ErrorCodes.class.getResourceAsStream("messages.json")) {
          assertEquals(v, Json.MAPPER.readTree(in));
        }
      }));
      return nodes.stream();
    });

    HANDLERS.put("seed-fixtures.json", v -> {
      JsonNode t3 = v.get("t3Login");
      List<DynamicNode> nodes = new ArrayList<>();
      for (String which : new String[] {"consistentBasicResponse", "consistentSignedResponse", "intSuccessCodeResponse", "successResponse", "errorResponse"}) {
        nodes.add(DynamicTest.dynamicTest("t3Login " + which, () -> SeedReplies.check(t3, which)));
      }
      nodes.add(DynamicTest.dynamicTest("core hex", () ->
          assertEquals(t3.get("coreHexDecoded").asText(), new String(hex(t3.get("successResponse").get("core").asText()), StandardCharsets.UTF_8))));
      nodes.add(DynamicTest.dynamicTest("potatoCreateCardMy", () -> {
        JsonNode p = v.get("potatoCreateCardMy");
        JsonNode parsed = Json.parse(Json.MAPPER.writeValueAsString(p.get("response")));
        // snowflake ids above 2^53 keep every digit
        for (JsonNode card : parsed.path("data")) {
          assertTrue(card.get("id").isTextual() || card.get("id").isBigInteger() || card.get("id").canConvertToLong());
        }
        assertEquals(Json.MAPPER.readTree(p.get("requestJson").asText()), p.get("request"));
      }));
      return nodes.stream();
    });
  }

  @TestFactory
  Stream<DynamicNode> everyVectorFile() throws IOException {
    List<String> files;
    try (Stream<Path> s = Files.list(VECTORS)) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().collect(Collectors.toList());
    }
    assertTrue(files.size() >= 13, "found the vector files in " + VECTORS);
    return files.stream().map(name -> {
      java.util.function.Function<JsonNode, Stream<DynamicNode>> h = HANDLERS.get(name);
      if (h == null) {
        return DynamicTest.dynamicTest(name, () -> fail("no handler for vector file " + name + ": add one to VectorsTest"));
      }
      return DynamicContainer.dynamicContainer(name, h.apply(read(name)));
    });
  }

  @SuppressWarnings("unused")
  private static File unused() {
    return null;
  }
}
