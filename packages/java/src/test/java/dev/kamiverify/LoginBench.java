package dev.kamiverify;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Login through the SDK vs raw HttpURLConnection sending the same bytes (the raw side signs each
 * body as any client must). Paired blocks: a few raw calls and as many SDK calls back to back,
 * alternating which goes first; the median block ratio is the figure, so a shared machine's drift
 * cancels within a block. Run by bench/languages/java.mjs; prints one JSON line.
 */
public final class LoginBench {
  private static final SecureRandom RANDOM = new SecureRandom();

  private LoginBench() {}

  public static void main(String[] args) throws Exception {
    String url = System.getenv("KAMI_BENCH_URL");
    String appKey = System.getenv("KAMI_BENCH_APPKEY");
    String card = System.getenv("KAMI_BENCH_CARD");
    int blocks = Integer.parseInt(System.getenv().getOrDefault("KAMI_BENCH_BLOCKS", "61"));
    @SuppressWarnings("unchecked")
    Map<String, String> routes = Json.MAPPER.readValue(System.getenv("KAMI_BENCH_ROUTES"), Map.class);
    KamiClient client = KamiClient.builder(url, appKey).routes(routes).build();
    String loginUrl = url + "/" + routes.get("login");

    Runnable sdk = () -> client.login(card, "BENCH-DEVICE");
    Runnable raw = () -> rawLogin(loginUrl, appKey, card);
    for (int i = 0; i < 200; i++) { // JIT warm-up of both paths
      sdk.run();
      raw.run();
    }
    double[] seq = paired(blocks, 8, raw, sdk, 1);
    double[] conc = paired(Math.max(11, blocks / 2), 32, raw, sdk, 8);
    double cpu = sdkCpuMicros();
    System.out.println(Json.MAPPER.writeValueAsString(Map.of("sdkCpuMicrosPerLogin", cpu,
        "sequentialRatio", seq[0], "concurrentRatio", conc[0],
        "rawMicrosPerCall", seq[1], "sdkMicrosPerCall", seq[2],
        "rawMicrosPerCallConcurrent", conc[1], "sdkMicrosPerCallConcurrent", conc[2])));
    System.exit(0);
  }

  /** The SDK's own CPU per login without the network: a canned seed reply through a whole client. */
  static double sdkCpuMicros() throws Exception {
    com.fasterxml.jackson.databind.JsonNode t3 = Json.MAPPER.readTree(
        java.nio.file.Paths.get("../../spec/vectors/seed-fixtures.json").toFile()).get("t3Login");
    Transport.Response canned = new Transport.Response(200, Map.of(),
        Json.MAPPER.writeValueAsBytes(t3.get("consistentBasicResponse")));
    KamiClient client = KamiClient.builder("http://seed.invalid", t3.get("appKey").asText())
        .route(Endpoint.LOGIN, "X").transport(r -> canned)
        .clock(java.time.Clock.fixed(java.time.Instant.ofEpochSecond(1741700000L), java.time.ZoneOffset.UTC))
        .safeCode(() -> "hello").build();
    int n = 20000;
    for (int i = 0; i < n; i++) {
      client.login("KM3Q5T7W9Y2B4D6F", "DEVICE_001");
    }
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      client.login("KM3Q5T7W9Y2B4D6F", "DEVICE_001");
    }
    return Math.round((System.nanoTime() - start) / (double) n / 100) / 10.0;
  }

  static void rawLogin(String url, String appKey, String card) {
    byte[] nonce = new byte[8];
    RANDOM.nextBytes(nonce);
    List<Param> params = Arrays.asList(Param.of("kami", card), Param.of("imei", "BENCH-DEVICE"),
        Param.of("safe_code", Codec.hexUpper(nonce).toLowerCase()));
    byte[] body = Protocol.formBody(Protocol.sign(params, appKey, Codec.PLAIN, System.currentTimeMillis() / 1000).fields)
        .getBytes(StandardCharsets.US_ASCII);
    try {
      HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(body.length);
      c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
      try (OutputStream o = c.getOutputStream()) {
        o.write(body);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = c.getInputStream()) {
        in.transferTo(out);
      }
      if (!out.toString(StandardCharsets.UTF_8).contains("\"statecode\"")) {
        throw new IllegalStateException("raw login failed: " + out);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Median of per-block sdk/raw ratios, and µs per call of each side. */
  static double[] paired(int blocks, int calls, Runnable raw, Runnable sdk, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Double> ratios = new ArrayList<>();
    long rawTotal = 0;
    long sdkTotal = 0;
    try {
      for (int b = 0; b < blocks; b++) {
        long r;
        long s;
        if (b % 2 == 0) {
          r = timed(pool, raw, calls, threads);
          s = timed(pool, sdk, calls, threads);
        } else {
          s = timed(pool, sdk, calls, threads);
          r = timed(pool, raw, calls, threads);
        }
        rawTotal += r;
        sdkTotal += s;
        ratios.add((double) s / r);
      }
    } finally {
      pool.shutdown();
    }
    Collections.sort(ratios);
    double n = (double) blocks * calls;
    return new double[] {Math.round(ratios.get(ratios.size() / 2) * 1000) / 1000.0,
        Math.round(rawTotal / n / 1000.0), Math.round(sdkTotal / n / 1000.0)};
  }

  static long timed(ExecutorService pool, Runnable task, int calls, int threads) throws Exception {
    long start = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      fs.add(pool.submit(() -> {
        for (int i = 0; i < calls; i++) {
          task.run();
        }
      }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    return System.nanoTime() - start;
  }
}
