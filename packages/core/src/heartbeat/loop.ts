import type { CallOptions } from '../client/options';
import type { HeartbeatResult, LoginResult } from '../client/results';
import { KamiAbortError, KamiError, KamiValidationError } from '../errors';
import { TypedEmitter } from './emitter';
import { backoffDelayMs, isDefinitiveHeartbeatError } from './policy';

/** What the loop needs from a client: only `heartbeat`, so any client (or a fake) fits. */
export interface HeartbeatClient {
  heartbeat(statecode: string, call?: CallOptions & { kami?: string }): Promise<HeartbeatResult>;
}

/** The session to keep alive: a login result, or at least its statecode. */
export interface HeartbeatSession {
  statecode: string;
  /** Sent with each beat when `sendKami` is on. */
  kami?: string;
}

export interface HeartbeatOptions {
  /**
   * The app's 登录状态码有效期 in seconds: how long the server keeps a statecode after the last
   * beat. Sets the default interval (half of it) and when an outage becomes `lost`.
   * Default: twice the interval (60 s with the default interval).
   */
  validitySeconds?: number;
  /** Time between beats. Default `validitySeconds × 500` ms, or 30 000 ms. Must be below the validity. */
  intervalMs?: number;
  /** Send the card with each beat (the protocol's optional `kami` field). Default true when known. */
  sendKami?: boolean;
  /** Per-call timeout of each beat. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
  /** First retry delay after a transient failure. Default 1 000 ms. */
  initialBackoffMs?: number;
  /** Longest retry delay. Default the smaller of the interval and a quarter of the validity. */
  maxBackoffMs?: number;
  /** Beat once right away instead of after the first interval. Default false. */
  immediate?: boolean;
  /** Stops the loop (the `stopped` result then says `aborted`). */
  signal?: AbortSignal;
  /** Overrides which failures end the session. Default {@link isDefinitiveHeartbeatError}. */
  isDefinitive?: (error: KamiError) => boolean;
  /** Jitter source, for tests. Default `Math.random`. */
  random?: () => number;
}

/**
 * What a platform plugs into the loop. Every hook is optional; the defaults need nothing beyond
 * what core may use anywhere (`setTimeout`, `Date.now`, `Math.random`).
 */
export interface HeartbeatPlatform {
  /** Runs `fn` once after `ms`. Default `setTimeout` (Node: unref the timer here). */
  setTimer?(fn: () => void, ms: number): unknown;
  /** Cancels a `setTimer` handle. Default `clearTimeout`. */
  clearTimer?(handle: unknown): void;
  /**
   * A monotonic clock in ms for the outage deadline, so a wall-clock jump (NTP, a manual change)
   * neither fakes nor hides an outage. Default `Date.now` (not monotonic).
   */
  now?(): number;
  /**
   * Calls `callback` whenever the app comes back to the foreground (a page becoming visible);
   * returns the unsubscribe function. The loop then beats at once if its last contact with the
   * server is older than the interval (wall clock: timers may have been throttled or frozen).
   */
  onVisible?(callback: () => void): () => void;
  /** Where a listener's exception goes. Default: rethrown in a microtask. */
  reportError?(error: unknown): void;
  /**
   * Offered each definitive failure of a beat: may return how to open a new session instead of
   * ending the loop (@kami-verify/node's `relogin`: log in again after 状态码不存在). The loop runs
   * it like a beat (same deadline, backoff on transient failures) until it resolves, then emits
   * `relogin` and beats with the new statecode; if it fails definitively, or the first beat
   * after it is refused, the loop ends with `lost`. It never extends an outage.
   */
  relogin?(error: KamiError): ((call: CallOptions) => Promise<LoginResult>) | undefined;
}

export interface BeatInfo {
  /** Successful beats so far, this one included. */
  count: number;
  /** The statecode that was renewed. */
  statecode: string;
  /** When the next beat is due. */
  nextInMs: number;
}

export interface TransientErrorInfo {
  /** Consecutive failures so far. */
  attempt: number;
  /** When the loop tries again. */
  retryInMs: number;
  /** Time left before the server drops the session and the loop declares `lost`. */
  lostInMs: number;
}

export interface LostInfo {
  /** `rejected`: the server (or a failed reply check) refused the session; `outage`: no answer for the whole validity. */
  reason: 'rejected' | 'outage';
}

export interface HeartbeatEvents {
  /** A beat renewed the statecode. */
  beat: (result: HeartbeatResult, info: BeatInfo) => void;
  /** A transient failure; the loop retries by itself. Safe to leave unhandled. */
  error: (error: KamiError, info: TransientErrorInfo) => void;
  /** The session is over: stop offering the licensed features. The loop has stopped. */
  lost: (error: KamiError, info: LostInfo) => void;
  /** The session was reopened (Node's `relogin`); later beats use `login.statecode`. */
  relogin: (login: LoginResult) => void;
}

export interface HeartbeatEnd {
  reason: 'stopped' | 'aborted' | 'lost';
  /** For `lost`: why. */
  error?: KamiError;
  lostReason?: LostInfo['reason'];
  beats: number;
}

export type HeartbeatState = 'running' | 'stopped' | 'lost';

/**
 * The loop's defaults, for reference. The loop spells them out itself (one object lookup less in
 * every bundle); a core test pins the two together.
 */
export const HEARTBEAT_DEFAULTS = {
  intervalMs: 30_000,
  initialBackoffMs: 1_000,
  /** Beats come up to this fraction early, never late, so a fleet spreads out. */
  intervalJitter: 0.1,
} as const;

/**
 * A running heartbeat loop: beats at half the statecode validity (a little early, jittered),
 * retries transient failures with backoff, and ends with `lost` when the server refuses the
 * session or has not answered for the whole validity. Never rejects and never throws into the
 * app. The platform SDKs subclass it with their hooks (`Heartbeat`).
 */
export class HeartbeatLoop extends TypedEmitter<HeartbeatEvents> {
  // `declare`: assigned in the constructor, so no field initialisers (smaller bundles).
  /** Settles (never rejects) when the loop ends: `stop()`, the signal, or `lost`. */
  declare readonly stopped: Promise<HeartbeatEnd>;
  declare readonly intervalMs: number;
  declare readonly validityMs: number;

  #state: HeartbeatState = 'running';
  #statecode: string;
  #beats = 0;
  #lastBeatAt: number | undefined;
  #resolveStopped!: (end: HeartbeatEnd) => void;
  /** Ends the current wait at once. */
  #wake: (() => void) | undefined;
  /** Aborts the call in flight (the last call: aborting a settled one does nothing). */
  #inFlight: AbortController | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    client: HeartbeatClient,
    session: HeartbeatSession,
    options: HeartbeatOptions = {},
    platform: HeartbeatPlatform = {},
  ) {
    super(platform.reportError);
    if (typeof client?.heartbeat !== 'function') {
      throw new KamiValidationError('client', 'client.heartbeat must be a function');
    }
    if (typeof session?.statecode !== 'string' || session.statecode === '') {
      throw new KamiValidationError('statecode', 'a session with a statecode is required');
    }
    const { validitySeconds: v, intervalMs: i, signal } = options;
    const bad = (value = 1) => !(value > 0 && value < Infinity);
    if (bad(v) || bad(i)) {
      throw new KamiValidationError(
        bad(v) ? 'validitySeconds' : 'intervalMs',
        'validitySeconds and intervalMs must be positive numbers',
      );
    }
    this.intervalMs = i ?? (v !== undefined ? v * 500 : 30_000);
    this.validityMs = v !== undefined ? v * 1000 : this.intervalMs * 2;
    if (this.intervalMs >= this.validityMs) {
      throw new KamiValidationError(
        'intervalMs',
        `intervalMs (${this.intervalMs}) must be below the statecode validity (${this.validityMs} ms)`,
      );
    }
    this.#statecode = session.statecode;
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    if (signal?.aborted) {
      this.#end('aborted');
      return;
    }
    signal?.addEventListener('abort', () => this.#end('aborted'));
    // Timers may have been throttled (hidden tab) or frozen: when the app comes back and the last
    // contact (the login that created the session, then each success) is older than the
    // interval, beat at once rather than let the statecode lapse.
    const loggedInAt = Date.now();
    this.#unsubscribe = platform.onVisible?.(() => {
      if (Date.now() - (this.#lastBeatAt ?? loggedInAt) >= this.intervalMs) this.#wake?.();
    });
    // Failures are handled inside the loop; this only guards against a bug there.
    this.#run(client, session, options, platform).catch((bug: unknown) =>
      this.#end('lost', asKamiError(bug), 'rejected'),
    );
  }

  get state(): HeartbeatState {
    return this.#state;
  }
  /** The statecode in use (changes after a relogin). */
  get statecode(): string {
    return this.#statecode;
  }
  get beats(): number {
    return this.#beats;
  }
  /** `Date.now()` of the last successful beat (or relogin). */
  get lastBeatAt(): number | undefined {
    return this.#lastBeatAt;
  }

  /** Stops beating (aborting a beat in flight). Idempotent; resolves with the loop's end. */
  stop(): Promise<HeartbeatEnd> {
    this.#end('stopped');
    return this.stopped;
  }

  async #run(
    client: HeartbeatClient,
    session: HeartbeatSession,
    opts: HeartbeatOptions,
    platform: HeartbeatPlatform,
  ): Promise<void> {
    const { setTimer = setTimeout, clearTimer = clearTimeout, now = Date.now } = platform;
    const random = opts.random ?? Math.random;
    const backoff = {
      initialMs: opts.initialBackoffMs ?? 1_000,
      maxMs: opts.maxBackoffMs ?? Math.min(this.intervalMs, this.validityMs / 4),
      random,
    };
    // Up to 10 % early, never late, so a fleet spreads out.
    const nextInterval = () => Math.round(this.intervalMs * (1 - 0.1 * random()));
    // Start of the window in which the server keeps the session: the last contact (the login
    // that created the session, then each success), on the platform's monotonic clock.
    let windowStart = now();
    let attempt = 0;
    let lastError: KamiError | undefined;
    /** Set when the next call is a relogin. */
    let login: ((call: CallOptions) => Promise<LoginResult>) | undefined;
    /** The last contact was a relogin, with no beat since. */
    let relogged = false;
    let delay = opts.immediate ? 0 : nextInterval();

    for (;;) {
      // Sleep until the next call is due, or until woken (foreground again, or the end). No timer
      // for "now": a relogin or an `immediate` beat goes out in the next microtask.
      await (delay > 0 &&
        new Promise<void>((resolve) => {
          const timer = setTimer(resolve, delay);
          // Stays set after the wait; calling it late does nothing.
          this.#wake = () => {
            clearTimer(timer);
            resolve();
          };
        }));
      if (this.#state !== 'running') return;
      const started = now();
      if (started >= windowStart + this.validityMs) {
        if (lastError) return this.#end('lost', lastError, 'outage');
        // Late without any failed attempt: the machine slept or the timers were held back. Only
        // the server knows whether the session survived (it renews, or answers 状态码不存在), so
        // give the network one validity from now to come back (Wi-Fi after a wake-up) and ask.
        windowStart = started;
      }
      const deadline = windowStart + this.validityMs;
      // The call's own signal: fires on stop, and when the statecode's validity has run out (a
      // call still running then is cut off: the session is gone by then).
      const call = new AbortController();
      this.#inFlight = call;
      const expiry = setTimer(() => call.abort(), deadline - started);
      const callOptions: CallOptions = { signal: call.signal };
      if (opts.timeoutMs !== undefined) callOptions.timeoutMs = opts.timeoutMs;
      try {
        const result = await (login
          ? login(callOptions)
          : client.heartbeat(
              this.#statecode,
              (opts.sendKami ?? true) && session.kami ? { ...callOptions, kami: session.kami } : callOptions,
            ));
        if (this.#state !== 'running') return;
        // The server renewed (or created) the session when the request arrived, after `started`.
        windowStart = started;
        this.#lastBeatAt = Date.now();
        attempt = 0;
        lastError = undefined;
        delay = nextInterval();
        relogged = !!login;
        if (login) {
          login = undefined;
          this.#statecode = (result as LoginResult).statecode;
          this.emit('relogin', result as LoginResult);
        } else {
          this.emit('beat', result as HeartbeatResult, {
            count: ++this.#beats,
            statecode: this.#statecode,
            nextInMs: delay,
          });
        }
      } catch (thrown) {
        if (this.#state !== 'running') return;
        // Whole milliseconds (the clock may be performance.now()); rounded up, so > 0 stays > 0.
        const lostInMs = Math.ceil(deadline - now());
        // Cut off by the deadline (or failed past it): the server has dropped the session by now.
        if (lostInMs <= 0) {
          return this.#end(
            'lost',
            lastError ??
              new KamiError(
                'TIMEOUT',
                `no answer from the server for ${this.validityMs} ms: the session has expired`,
              ),
            'outage',
          );
        }
        // An abort we did not cause (the client's own signal): nothing more can be sent.
        if (KamiAbortError.isInstance(thrown)) return this.#end('aborted');
        const error = asKamiError(thrown);
        if ((opts.isDefinitive ?? isDefinitiveHeartbeatError)(error)) {
          // Offer the refusal to the relogin hook once: not for a failed login, nor right after one.
          login = login || relogged ? undefined : platform.relogin?.(error);
          if (!login) return this.#end('lost', error, 'rejected');
          delay = 0;
          continue;
        }
        attempt++;
        lastError = error;
        // Never past the deadline: the next attempt then finds the window closed (`outage`).
        delay = Math.min(backoffDelayMs(attempt, error, backoff), lostInMs);
        this.emit('error', error, { attempt, retryInMs: delay, lostInMs });
      } finally {
        clearTimer(expiry);
      }
    }
  }

  /** Ends the loop once (later calls are ignored): settles `stopped`, and emits `lost` for a loss. */
  #end(reason: HeartbeatEnd['reason'], error?: KamiError, lostReason?: LostInfo['reason']): void {
    if (this.#state !== 'running') return;
    this.#state = reason === 'lost' ? 'lost' : 'stopped';
    this.#inFlight?.abort();
    this.#unsubscribe?.();
    this.#wake?.();
    this.#resolveStopped({ reason, beats: this.#beats, ...(error && { error, lostReason }) });
    if (error) this.emit('lost', error, { reason: lostReason! });
  }
}

/**
 * Starts a heartbeat loop with a platform's hooks. The platform SDKs wrap this as
 * `startHeartbeat(client, session, options)`; see {@link HeartbeatOptions}, {@link HeartbeatEvents}
 * and {@link HeartbeatPlatform}.
 */
export function startHeartbeatLoop(
  client: HeartbeatClient,
  session: HeartbeatSession,
  options?: HeartbeatOptions,
  platform?: HeartbeatPlatform,
): HeartbeatLoop {
  return new HeartbeatLoop(client, session, options, platform);
}

/** Client bugs or foreign transports may throw non-Kami errors; the loop treats them as transient. */
function asKamiError(value: unknown): KamiError {
  return KamiError.isInstance(value)
    ? value
    : new KamiError('NETWORK_ERROR', `heartbeat failed: ${(value as Error)?.message ?? value}`, {
        cause: value,
      });
}
