import {
  type CallOptions,
  type HeartbeatResult,
  KamiAbortError,
  KamiError,
  KamiValidationError,
  type LoginResult,
} from '@kami-verify/core';
import { backoffDelayMs } from './heartbeat/backoff';
import { isDefinitiveHeartbeatError } from './heartbeat/classify';
import { TypedEmitter } from './heartbeat/emitter';

export { DEFINITIVE_HEARTBEAT_CODES, isDefinitiveHeartbeatError } from './heartbeat/classify';

/** What the loop needs from a client: `heartbeat`, and `login` for `relogin`. */
export interface HeartbeatClient {
  heartbeat(statecode: string, call?: CallOptions & { kami?: string }): Promise<HeartbeatResult>;
  login?(kami: string, imei: string, call?: CallOptions): Promise<LoginResult>;
}

/** The session to keep alive: a login result, or at least its statecode. */
export interface HeartbeatSession {
  statecode: string;
  /** Needed for `relogin` and `sendKami`. */
  kami?: string;
  /** The machine code to log in again with (`relogin`). */
  imei?: string;
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
  /**
   * Log in again (same card, same machine code) when the server answers 状态码不存在, i.e. it
   * dropped the session (restart without persistence, kicked sessions, a beat that came too
   * late) while the card may still be valid. If that login fails definitively (卡密已到期,
   * 卡密被禁用, ...) the loop ends with `lost` for that error. It never extends an outage: after
   * `validitySeconds` without any answer the loop is `lost` either way. Default false.
   */
  relogin?: boolean;
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
  /** The session is over: stop using the licensed features. The loop has stopped. */
  lost: (error: KamiError, info: LostInfo) => void;
  /** `relogin` logged in again; later beats use `login.statecode`. */
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

export const HEARTBEAT_DEFAULTS = {
  intervalMs: 30_000,
  initialBackoffMs: 1_000,
  /** Beats come up to this fraction early, never late, so a fleet spreads out. */
  intervalJitter: 0.1,
} as const;

/**
 * A running heartbeat loop. Never rejects, never throws into the app, and its timers are
 * `unref()`ed: it does not keep the process alive by itself.
 */
export class Heartbeat extends TypedEmitter<HeartbeatEvents> {
  /** Settles (never rejects) when the loop ends: `stop()`, the signal, or `lost`. */
  readonly stopped: Promise<HeartbeatEnd>;
  readonly intervalMs: number;
  readonly validityMs: number;

  #state: HeartbeatState = 'running';
  #statecode: string;
  #beats = 0;
  #lastBeatAt: number | undefined;
  #resolveStopped!: (end: HeartbeatEnd) => void;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #halt = new AbortController();
  readonly #client: HeartbeatClient;
  readonly #session: HeartbeatSession;
  readonly #options: HeartbeatOptions;

  constructor(client: HeartbeatClient, session: HeartbeatSession, options: HeartbeatOptions = {}) {
    super();
    if (typeof client?.heartbeat !== 'function')
      throw new KamiValidationError('client', 'client.heartbeat must be a function');
    if (typeof session?.statecode !== 'string' || session.statecode === '') {
      throw new KamiValidationError('statecode', 'a session with a statecode is required');
    }
    const { intervalMs, validityMs } = resolveTiming(options);
    if (options.relogin && (!session.kami || !session.imei || typeof client.login !== 'function')) {
      throw new KamiValidationError(
        'relogin',
        'relogin needs the session kami and imei and a client with login()',
      );
    }
    this.intervalMs = intervalMs;
    this.validityMs = validityMs;
    this.#client = client;
    this.#session = session;
    this.#options = options;
    this.#statecode = session.statecode;
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    const signal = options.signal;
    if (signal?.aborted) {
      this.#finish({ reason: 'aborted', beats: 0 });
    } else {
      signal?.addEventListener('abort', () => this.#finish({ reason: 'aborted', beats: this.#beats }), {
        once: true,
      });
      // The loop's own failures are caught inside; this catch only guards against a bug there.
      this.#run().catch((bug: unknown) => this.#lose(asKamiError(bug), 'rejected'));
    }
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
    this.#finish({ reason: 'stopped', beats: this.#beats });
    return this.stopped;
  }

  async #run(): Promise<void> {
    const opts = this.#options;
    const isDefinitive = opts.isDefinitive ?? isDefinitiveHeartbeatError;
    const random = opts.random ?? Math.random;
    const backoff = {
      initialMs: opts.initialBackoffMs ?? HEARTBEAT_DEFAULTS.initialBackoffMs,
      maxMs: opts.maxBackoffMs ?? Math.min(this.intervalMs, this.validityMs / 4),
      random,
    };
    const nextInterval = () =>
      Math.round(this.intervalMs * (1 - HEARTBEAT_DEFAULTS.intervalJitter * random()));
    // Start of the window in which the server keeps the session: the last contact (the login
    // that created the session, then each success). Durations use the monotonic clock: a
    // wall-clock jump (NTP, manual change) must not make the loop declare an outage or miss one.
    let windowStart = monotonic();
    let attempt = 0;
    let lastError: KamiError | undefined;
    let needLogin = false;
    let reloggedWithoutBeat = false;
    let delay = opts.immediate ? 0 : nextInterval();

    for (;;) {
      await this.#sleep(delay);
      if (this.#state !== 'running') return;
      const started = monotonic();
      if (started >= windowStart + this.validityMs) {
        if (lastError) return this.#lose(lastError, 'outage');
        // Late without any failed attempt: the machine slept or the event loop was blocked. Only
        // the server knows whether the session survived (it renews, or answers 状态码不存在), so
        // give the network one validity from now to come back (Wi-Fi after a wake-up) and ask.
        windowStart = started;
      }
      const deadline = windowStart + this.validityMs;
      // A beat still running at the deadline is cut off: the session is gone by then.
      const call = this.#callSignal(deadline - started);
      try {
        const timeout = opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
        if (needLogin) {
          const login = await this.#client.login!(this.#session.kami!, this.#session.imei!, {
            signal: call.signal,
            ...timeout,
          });
          if (this.#state !== 'running') return;
          // The server renewed (here: created) the session when the request arrived, after `started`.
          windowStart = started;
          this.#statecode = login.statecode;
          needLogin = false;
          reloggedWithoutBeat = true;
          this.#lastBeatAt = Date.now();
          this.emit('relogin', login);
        } else {
          const sendKami = opts.sendKami ?? true;
          const result = await this.#client.heartbeat(this.#statecode, {
            signal: call.signal,
            ...timeout,
            ...(sendKami && this.#session.kami ? { kami: this.#session.kami } : {}),
          });
          if (this.#state !== 'running') return;
          windowStart = started;
          this.#beats++;
          reloggedWithoutBeat = false;
          this.#lastBeatAt = Date.now();
          delay = nextInterval();
          attempt = 0;
          lastError = undefined;
          this.emit('beat', result, { count: this.#beats, statecode: this.#statecode, nextInMs: delay });
          continue;
        }
        attempt = 0;
        lastError = undefined;
        delay = nextInterval();
      } catch (thrown) {
        if (this.#state !== 'running') return;
        if (call.expired()) return this.#lose(lastError ?? outageError(this.validityMs), 'outage');
        const error = asKamiError(thrown);
        // An abort we did not cause (the client's own signal): nothing more can be sent.
        if (isAbort(error)) return this.#finish({ reason: 'aborted', beats: this.#beats });
        if (isDefinitive(error)) {
          const canRelogin =
            opts.relogin === true &&
            !needLogin &&
            !reloggedWithoutBeat &&
            error.code === 'STATECODE_NOT_FOUND';
          if (!canRelogin) return this.#lose(error, 'rejected');
          needLogin = true;
          delay = 0;
          continue;
        }
        attempt++;
        lastError = error;
        const lostInMs = deadline - monotonic();
        if (lostInMs <= 0) return this.#lose(error, 'outage');
        delay = Math.min(backoffDelayMs(attempt, error, backoff), lostInMs);
        this.emit('error', error, { attempt, retryInMs: delay, lostInMs });
      } finally {
        call.dispose();
      }
    }
  }

  /** A signal for one call: fires on stop, and when the statecode's validity runs out. */
  #callSignal(msLeft: number) {
    const controller = new AbortController();
    let expired = false;
    const onHalt = () => controller.abort(this.#halt.signal.reason);
    this.#halt.signal.addEventListener('abort', onHalt, { once: true });
    const timer = setTimeout(() => {
      expired = true;
      controller.abort(new Error('statecode validity elapsed'));
    }, msLeft);
    timer.unref?.();
    return {
      signal: controller.signal,
      expired: () => expired,
      dispose: () => {
        clearTimeout(timer);
        this.#halt.signal.removeEventListener('abort', onHalt);
      },
    };
  }

  #sleep(ms: number): Promise<void> {
    // No timer for "now": a relogin or an `immediate` beat goes out in the same tick.
    if (this.#state !== 'running' || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
      this.#timer.unref?.();
    });
  }

  #lose(error: KamiError, reason: LostInfo['reason']): void {
    if (this.#state !== 'running') return;
    this.#state = 'lost';
    this.#halt.abort();
    this.emit('lost', error, { reason });
    this.#resolveStopped({ reason: 'lost', error, lostReason: reason, beats: this.#beats });
  }

  #finish(end: HeartbeatEnd): void {
    if (this.#state !== 'running') return;
    this.#state = 'stopped';
    this.#halt.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wake?.();
    this.#resolveStopped(end);
  }
}

/** Starts a managed heartbeat for a login. See {@link HeartbeatOptions} and {@link HeartbeatEvents}. */
export function startHeartbeat(
  client: HeartbeatClient,
  session: HeartbeatSession,
  options: HeartbeatOptions = {},
): Heartbeat {
  return new Heartbeat(client, session, options);
}

function resolveTiming(options: HeartbeatOptions): { intervalMs: number; validityMs: number } {
  const { validitySeconds, intervalMs } = options;
  if (validitySeconds !== undefined && !(validitySeconds > 0 && Number.isFinite(validitySeconds))) {
    throw new KamiValidationError('validitySeconds', 'validitySeconds must be a positive number');
  }
  if (intervalMs !== undefined && !(intervalMs > 0 && Number.isFinite(intervalMs))) {
    throw new KamiValidationError('intervalMs', 'intervalMs must be a positive number');
  }
  const interval =
    intervalMs ?? (validitySeconds !== undefined ? validitySeconds * 500 : HEARTBEAT_DEFAULTS.intervalMs);
  const validityMs = validitySeconds !== undefined ? validitySeconds * 1000 : interval * 2;
  if (interval >= validityMs) {
    throw new KamiValidationError(
      'intervalMs',
      `intervalMs (${interval}) must be below the statecode validity (${validityMs} ms)`,
    );
  }
  return { intervalMs: interval, validityMs };
}

function monotonic(): number {
  return performance.now();
}

// A plain function keeps `error` a KamiError: a negative type guard would narrow it to never.
function isAbort(error: KamiError): boolean {
  return KamiAbortError.isInstance(error);
}

function outageError(validityMs: number): KamiError {
  return new KamiError('TIMEOUT', `no answer from the server for ${validityMs} ms: the session has expired`);
}

/** Client bugs or foreign transports may throw non-Kami errors; the loop treats them as transient. */
function asKamiError(value: unknown): KamiError {
  if (KamiError.isInstance(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new KamiError('NETWORK_ERROR', `heartbeat failed: ${message}`, { cause: value });
}
