package dev.kamiverify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The repository's test harness ({@code node apps/server/dist/test-harness.js}): real reference
 * servers on loopback. One process per test class; closing its stdin ends it.
 */
final class Harness implements AutoCloseable {
  static final Path ROOT = Paths.get("../..").toAbsolutePath().normalize();
  private final Process process;
  final String control;

  Harness() throws IOException {
    Path script = ROOT.resolve("apps/server/dist/test-harness.js");
    if (!Files.exists(script)) {
      throw new IllegalStateException(script + " is missing: run `npm run build` at the repository root");
    }
    process = new ProcessBuilder("node", script.toString()).directory(ROOT.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("http://")) {
      process.destroy();
      throw new IllegalStateException("the test harness printed no control URL: " + line);
    }
    control = line.trim();
  }

  JsonNode request(String method, String path, Object body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(control + path).openConnection();
    c.setRequestMethod(method);
    c.setConnectTimeout(5000);
    c.setReadTimeout(60000);
    if (body != null) {
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      try (OutputStream o = c.getOutputStream()) {
        o.write(Json.MAPPER.writeValueAsBytes(body));
      }
    }
    int status = c.getResponseCode();
    try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
      JsonNode answer = Json.MAPPER.readTree(in);
      if (status >= 400) {
        throw new IOException("harness " + method + " " + path + ": " + status + " " + answer);
      }
      return answer;
    }
  }

  /** A fresh server; {@code settings} as in docs/server.md "App settings". */
  Server server(String encoding, Map<String, Object> settings) throws IOException {
    Map<String, Object> body = new HashMap<>();
    body.put("encoding", encoding);
    if (settings != null) {
      body.put("settings", settings);
    }
    return new Server(this, request("POST", "/servers", body));
  }

  @Override public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (IOException | InterruptedException e) {
      process.destroy();
    }
  }

  /** One reference server. */
  static final class Server {
    final Harness h;
    final JsonNode info;
    final String id;
    final String url;
    volatile Duration offset = Duration.ZERO;

    Server(Harness h, JsonNode info) {
      this.h = h;
      this.info = info;
      this.id = info.get("id").asText();
      this.url = info.get("url").asText();
    }

    Encoding encoding() {
      JsonNode e = info.get("app").get("encoding");
      switch (e.get("mode").asText()) {
        case "base64": return Encoding.base64(e.get("alphabet").asText());
        case "rsa": return Encoding.rsa(e.get("publicKey").asText());
        default: return Encoding.plain();
      }
    }

    Map<String, String> routes() {
      Map<String, String> r = new HashMap<>();
      info.get("app").get("routes").fields().forEachRemaining(e -> r.put(e.getKey(), e.getValue().asText()));
      return r;
    }

    /** A client builder for this server; its clock follows the server's offset. */
    KamiClient.Builder client() {
      Clock clock = new Clock() {
        @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public java.time.Instant instant() { return java.time.Instant.now().plus(offset); }
      };
      return KamiClient.builder(url, info.get("app").get("appKey").asText())
          .routes(routes()).encoding(encoding()).clock(clock).timeout(Duration.ofSeconds(5));
    }

    String card(Map<String, Object> opts) throws IOException {
      return h.request("POST", "/servers/" + id + "/cards", opts == null ? new HashMap<>() : opts).get("cardStr").asText();
    }

    void cardAction(String card, String action) throws IOException {
      h.request("POST", "/servers/" + id + "/cards/" + card + "/" + action, new HashMap<>());
    }

    void advance(Duration d) throws IOException {
      ObjectNode body = Json.MAPPER.createObjectNode().put("advanceMs", d.toMillis());
      h.request("POST", "/servers/" + id + "/clock", body);
      offset = offset.plus(d);
    }

    void stop() throws IOException { h.request("POST", "/servers/" + id + "/stop", new HashMap<>()); }

    void start() throws IOException { h.request("POST", "/servers/" + id + "/start", new HashMap<>()); }
  }
}
