package dev.kamiverify;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Host failover shared by the T3 and potatocloud calls. Thread safe. */
final class Rotation {
  private final List<String> hosts;
  private final Transport transport;
  private final Duration timeout;
  private final int maxRetries;
  private final AtomicInteger preferred = new AtomicInteger();

  Rotation(List<String> hosts, Transport transport, Duration timeout, int maxRetries) {
    this.hosts = hosts;
    this.transport = transport;
    this.timeout = timeout;
    this.maxRetries = maxRetries;
  }

  /**
   * Host rotation: next host on no answer, 408 or (idempotent only) 5xx/429; a non-idempotent call
   * is only resent when it provably never reached a server. The host that answered is preferred.
   */
  Transport.Response send(boolean idempotent, String route, java.util.function.Function<String, Map<String, String>> headersFor, byte[] body) {
    KamiException lastError = null;
    Transport.Response lastResp = null;
    int rounds = idempotent ? maxRetries : 0;
    int n = hosts.size();
    for (int round = 0; round <= rounds; round++) {
      if (round > 0) {
        sleep(retryDelay(round, lastResp));
      }
      int start = preferred.get();
      for (int i = 0; i < n; i++) {
        int index = (start + i) % n;
        String url = hosts.get(index) + route;
        try {
          if (Thread.currentThread().isInterrupted()) {
            throw KamiException.aborted(null);
          }
          Transport.Response resp = transport.post(new Transport.Request(url, headersFor.apply(url), body, timeout));
          if (resp.status == 408 || (idempotent && (resp.status >= 500 || resp.status == 429))) {
            lastResp = resp;
            lastError = null;
            continue;
          }
          preferred.set(index);
          return resp;
        } catch (IOException e) {
          KamiException err = classify(url, e);
          if (Thread.currentThread().isInterrupted()) {
            throw KamiException.aborted(e);
          }
          lastResp = null;
          lastError = err;
          if (!idempotent && err.phase() != KamiException.Phase.CONNECT) {
            throw err;
          }
        }
      }
    }
    if (lastResp != null) {
      return lastResp;
    }
    throw lastError;
  }

  private KamiException classify(String url, IOException e) {
    boolean connectPhase = e instanceof ConnectException || e instanceof UnknownHostException
        || (e instanceof SocketTimeoutException && String.valueOf(e.getMessage()).contains("connect"));
    KamiException.Phase phase = connectPhase ? KamiException.Phase.CONNECT : KamiException.Phase.UNKNOWN;
    if (e instanceof SocketTimeoutException) {
      return new KamiException(KamiException.Kind.TIMEOUT, ErrorCodes.TIMEOUT,
          "请求超时: no answer from " + url + " within " + timeout, e, 0, null, null, null, phase);
    }
    return new KamiException(KamiException.Kind.CONNECTION, ErrorCodes.NETWORK_ERROR,
        "连接错误: " + url + ": " + e, e, 0, null, null, null, phase);
  }

  static Duration retryDelay(int round, Transport.Response last) {
    if (last != null && last.status == 429) {
      Duration d = KamiClient.parseRetryAfter(last.header("Retry-After"));
      if (d != null && d.compareTo(Duration.ofMinutes(1)) <= 0) {
        return d;
      }
    }
    long limit = Math.min(8000, 500L << (round - 1));
    return Duration.ofMillis(limit / 2 + ThreadLocalRandom.current().nextLong(limit / 2 + 1));
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KamiException.aborted(e);
    }
  }

}
