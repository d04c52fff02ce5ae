package dev.kamiverify;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A managed heartbeat: beats every interval (default half the statecode validity), retries
 * transient failures with exponential backoff and jitter, and reports {@code onLost} when the
 * server refuses the session or an outage outlasts the validity. {@link #close()} stops it.
 */
public final class Heartbeat implements AutoCloseable {
  /** Why a session ended. */
  public enum LostReason {
    /** The server refused the session (card expired, disabled, statecode unknown, ...). */
    REFUSED,
    /** No successful beat for longer than the statecode validity. */
    OUTAGE,
    /** The loop was closed. */
    CLOSED
  }

  /** Options of the managed heartbeat; immutable, built fluently from {@link #defaults()}. */
  public static final class Options {
    final Duration validity;
    final Duration interval;
    final Duration initialBackoff;
    final boolean relogin;
    final boolean sendCard;
    final ScheduledExecutorService scheduler;

    private Options(Duration validity, Duration interval, Duration initialBackoff, boolean relogin,
        boolean sendCard, ScheduledExecutorService scheduler) {
      this.validity = validity;
      this.interval = interval;
      this.initialBackoff = initialBackoff;
      this.relogin = relogin;
      this.sendCard = sendCard;
      this.scheduler = scheduler;
    }

    /** Validity 60 s, interval half of it, backoff from 1 s, no re-login, card sent, own daemon thread. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(60), null, Duration.ofSeconds(1), false, true, null);
    }

    /** The app's 登录状态码有效期: sets the default interval (half) and when an outage is lost. */
    public Options validity(Duration v) {
      if (v == null || v.isZero() || v.isNegative()) {
        throw KamiException.validation("validity", "validity must be positive");
      }
      return new Options(v, interval, initialBackoff, relogin, sendCard, scheduler);
    }

    /** Interval between beats; must be below the validity. Default validity / 2. */
    public Options interval(Duration i) {
      if (i == null || i.isZero() || i.isNegative()) {
        throw KamiException.validation("interval", "interval must be positive");
      }
      return new Options(validity, i, initialBackoff, relogin, sendCard, scheduler);
    }

    /** First retry delay after a transient failure. Default 1 s. */
    public Options initialBackoff(Duration b) {
      return new Options(validity, interval, Objects.requireNonNull(b), relogin, sendCard, scheduler);
    }

    /** Log in again (same card and machine code) when the server forgot the session (状态码不存在). */
    public Options relogin(boolean on) {
      return new Options(validity, interval, initialBackoff, on, sendCard, scheduler);
    }

    /** Send the card with each beat (default true). */
    public Options sendCard(boolean on) {
      return new Options(validity, interval, initialBackoff, relogin, on, scheduler);
    }

    /** Run on the caller's scheduler (not shut down on close). Default: one daemon thread. */
    public Options scheduler(ScheduledExecutorService s) {
      return new Options(validity, interval, initialBackoff, relogin, sendCard, Objects.requireNonNull(s));
    }

    Duration effectiveInterval() {
      return interval != null ? interval : validity.dividedBy(2);
    }
  }

  private final KamiClient client;
  private final Options options;
  private final HeartbeatListener listener;
  private final ScheduledExecutorService scheduler;
  private final boolean ownScheduler;
  private final Object lock = new Object();
  private LoginResult login;
  private long lastSuccessNanos;
  private int failures;
  private boolean relogged;
  private boolean stopped;
  private ScheduledFuture<?> next;

  Heartbeat(KamiClient client, LoginResult login, Options options, HeartbeatListener listener) {
    this.client = client;
    this.login = Objects.requireNonNull(login, "login");
    this.options = Objects.requireNonNull(options, "options");
    this.listener = listener != null ? listener : new HeartbeatListener() {};
    if (options.effectiveInterval().compareTo(options.validity) >= 0) {
      throw KamiException.validation("interval", "the interval must be below the validity");
    }
    if (options.scheduler != null) {
      scheduler = options.scheduler;
      ownScheduler = false;
    } else {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "kami-verify-heartbeat");
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      scheduler = s;
      ownScheduler = true;
    }
    lastSuccessNanos = System.nanoTime();
    schedule(jittered(options.effectiveInterval()));
  }

  /** The current login (a re-login replaces it). */
  public LoginResult login() {
    synchronized (lock) {
      return login;
    }
  }

  /** Whether the loop still runs. */
  public boolean isRunning() {
    synchronized (lock) {
      return !stopped;
    }
  }

  /** Stops the loop; a beat in flight finishes but reports nothing. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
      if (next != null) {
        next.cancel(false);
      }
    }
    if (ownScheduler) {
      scheduler.shutdownNow();
    }
  }

  // Beats come up to 10 % early, never late, so a fleet spreads out.
  private static Duration jittered(Duration d) {
    long ms = d.toMillis();
    return Duration.ofMillis(ms - ThreadLocalRandom.current().nextLong(ms / 10 + 1));
  }

  private void schedule(Duration delay) {
    synchronized (lock) {
      if (!stopped) {
        next = scheduler.schedule(this::beat, delay.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void beat() {
    LoginResult current = login();
    try {
      Result r = client.heartbeat(current.statecode(), options.sendCard ? current.card() : null);
      synchronized (lock) {
        if (stopped) {
          return;
        }
        lastSuccessNanos = System.nanoTime();
        failures = 0;
        relogged = false;
      }
      safely(() -> listener.onBeat(r));
      schedule(jittered(options.effectiveInterval()));
    } catch (KamiException e) {
      handleFailure(e);
    } catch (RuntimeException e) {
      handleFailure(new KamiException(KamiException.Kind.RESPONSE, ErrorCodes.UNKNOWN_SERVER_ERROR,
          "unexpected heartbeat failure: " + e, e));
    }
  }

  private void handleFailure(KamiException e) {
    if (!isRunning()) {
      return;
    }
    if (e.isTransient()) {
      long outage = System.nanoTime() - lastSuccessNanos;
      if (outage >= options.validity.toNanos()) {
        lost(LostReason.OUTAGE, e);
        return;
      }
      int attempt;
      synchronized (lock) {
        attempt = ++failures;
      }
      safely(() -> listener.onTransientError(e, attempt));
      long cap = Math.min(options.effectiveInterval().toMillis(), options.validity.toMillis() / 4);
      long base = Math.min(cap, options.initialBackoff.toMillis() << Math.min(20, attempt - 1));
      long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
      long left = options.validity.toMillis() - outage / 1_000_000;
      schedule(Duration.ofMillis(Math.max(1, Math.min(delay, left))));
      return;
    }
    if (options.relogin && "STATECODE_NOT_FOUND".equals(e.code()) && !relogged) {
      try {
        LoginResult fresh = client.login(login().card(), login().machineCode());
        synchronized (lock) {
          login = fresh;
          relogged = true;
        }
        safely(() -> listener.onRelogin(fresh));
        schedule(Duration.ZERO);
        return;
      } catch (KamiException loginError) {
        if (loginError.isTransient()) {
          handleFailure(loginError);
          return;
        }
        lost(LostReason.REFUSED, loginError);
        return;
      }
    }
    lost(LostReason.REFUSED, e);
  }

  private void lost(LostReason reason, KamiException e) {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    safely(() -> listener.onLost(reason, e));
    if (ownScheduler) {
      scheduler.shutdown();
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException ignored) {
      // a listener's bug must not kill the loop
    }
  }
}
