package dev.kamiverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** The seed's login replies through a whole client (fake transport, seed clock, seed nonce). */
final class SeedReplies {
  private SeedReplies() {}

  static void check(JsonNode t3, String which) throws Exception {
    JsonNode reply = t3.get(which);
    String body = Json.MAPPER.writeValueAsString(reply);
    FakeTransport transport = new FakeTransport(r -> FakeTransport.json(200, body));
    KamiClient client = KamiClient.builder("http://seed.invalid", t3.get("appKey").asText())
        .route(Endpoint.LOGIN, "813B2676E9690C89")
        .transport(transport)
        .clock(Clock.fixed(Instant.ofEpochSecond(1741700000L), ZoneOffset.UTC))
        .safeCode(() -> "hello")
        .build();
    switch (which) {
      case "successResponse": // placeholder token and statecode: must not verify
        assertEquals(ErrorCodes.TOKEN_MISMATCH,
            assertThrows(KamiException.class, () -> client.login("KM3Q5T7W9Y2B4D6F", "DEVICE_001")).code());
        break;
      case "errorResponse":
        KamiException e = assertThrows(KamiException.class, () -> client.login("KM3Q5T7W9Y2B4D6F", "DEVICE_001"));
        assertEquals(ErrorCodes.forT3(reply.get("msg").asText()), e.code());
        assertEquals(KamiException.Kind.API, e.kind());
        break;
      default:
        LoginResult r = client.login("KM3Q5T7W9Y2B4D6F", "DEVICE_001");
        assertEquals(reply.get("statecode").asText(), r.statecode());
        assertEquals(t3.get("signTextOfRequest").asText(), r.raw().signText());
        assertEquals("1", r.id());
    }
    assertEquals("/813B2676E9690C89", transport.requests.get(0).url.substring("http://seed.invalid".length()));
  }
}
