package dev.kamiverify;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Map;

/**
 * The default transport: {@link HttpURLConnection} (JDK and Android), keep-alive pooled by the
 * platform. Replies larger than the limit are refused.
 */
public final class HttpUrlConnectionTransport implements Transport {
  /** The default TCP connect timeout cap, 3 s. */
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 3000;
  private final int maxResponseBytes;

  /** A transport reading replies up to {@code maxResponseBytes}. */
  public HttpUrlConnectionTransport(int maxResponseBytes) {
    this.maxResponseBytes = maxResponseBytes;
  }

  /** A transport with a 1 MiB reply limit. */
  public HttpUrlConnectionTransport() {
    this(1 << 20);
  }

  @Override
  public Response post(Request request) throws IOException {
    HttpURLConnection conn = (HttpURLConnection) new URL(request.url).openConnection();
    int timeout = (int) Math.max(1, Math.min(Integer.MAX_VALUE, request.timeout.toMillis()));
    conn.setConnectTimeout(Math.min(timeout, DEFAULT_CONNECT_TIMEOUT_MS));
    conn.setReadTimeout(timeout);
    conn.setRequestMethod("POST");
    conn.setDoOutput(true);
    conn.setInstanceFollowRedirects(false);
    conn.setFixedLengthStreamingMode(request.body.length);
    for (Map.Entry<String, String> h : request.headers.entrySet()) {
      conn.setRequestProperty(h.getKey(), h.getValue());
    }
    // getOutputStream connects: a ConnectException there provably never sent the request.
    try (OutputStream out = conn.getOutputStream()) {
      out.write(request.body);
    }
    int status = conn.getResponseCode();
    InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
    byte[] body = new byte[0];
    if (in != null) {
      try (InputStream stream = in) {
        body = readLimited(stream);
      }
    }
    return new Response(status, conn.getHeaderFields(), body);
  }

  private byte[] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      if (out.size() + n > maxResponseBytes) {
        throw new IOException("the reply is larger than " + maxResponseBytes + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
