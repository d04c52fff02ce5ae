package dev.kamiverify;

import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Sends one HTTP POST. The default is {@link HttpUrlConnectionTransport} (works on Android);
 * supply your own (OkHttp, a proxy, a test double) through {@link KamiClient.Builder#transport}.
 * Implementations must be thread safe.
 */
public interface Transport {
  /**
   * Sends the request and returns the answer, whatever its status.
   *
   * @throws java.net.ConnectException or {@link java.net.UnknownHostException} when the request
   *     provably never left (the client may then resend even a login elsewhere)
   * @throws java.net.SocketTimeoutException when there was no answer in time
   * @throws IOException any other failure (the request may have reached the server)
   */
  Response post(Request request) throws IOException;

  /** One request: URL, headers, body bytes, and the per-attempt timeout. */
  final class Request {
    /** The full URL. */
    public final String url;
    /** Headers to send. */
    public final Map<String, String> headers;
    /** The body. */
    public final byte[] body;
    /** The timeout of this attempt. */
    public final Duration timeout;

    /** A request. */
    public Request(String url, Map<String, String> headers, byte[] body, Duration timeout) {
      this.url = url;
      this.headers = Collections.unmodifiableMap(headers);
      this.body = body;
      this.timeout = timeout;
    }
  }

  /** One answer. */
  final class Response {
    /** The HTTP status. */
    public final int status;
    /** Headers, names lower-cased. */
    public final Map<String, List<String>> headers;
    /** The body bytes. */
    public final byte[] body;

    /** An answer. */
    public Response(int status, Map<String, List<String>> headers, byte[] body) {
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    /** The first value of a header (name in any case), or null. */
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }
}
