import {
  type CallOptions,
  type HeartbeatResult,
  KamiAbortError,
  KamiError,
  KamiValidationError,
} from '@kami-verify/core';
import { TypedEmitter } from './emitter';
import { backoffDelayMs, isDefinitiveHeartbeatError } from './heartbeat-policy';

// Same options, events and end states as @kami-verify/node's heartbeat (minus `relogin`), plus
// page-visibility handling. Implemented here rather than shared because the Node one relies on
// unref'd timers and process.nextTick.

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

/** The part of `document` used to notice the page coming back to the foreground. */
export interface VisibilitySource {
  readonly visibilityState: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
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
  /** Where page visibility comes from. Default `globalThis.document`; `null` turns catch-up off. */
  document?: VisibilitySource | null;
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
}

export interface HeartbeatEnd {
  reason: 'stopped' | 'aborted' | 'lost';
  /** For `lost`: why. */
  error?: KamiError;
  lostReason?: LostInfo['reason'];
  beats: number;
}

export type HeartbeatState = 'running' | 'stopped' | 'lost';

/** Beats come up to this fraction early, never late, so many tabs spread out. */
const INTERVAL_JITTER = 0.1;

/** A running heartbeat loop. Never rejects and never throws into the page. */
export class Heartbeat extends TypedEmitter<HeartbeatEvents> {
  /** Settles (never rejects) when the loop ends: `stop()`, the signal, or `lost`. */
  readonly stopped: Promise<HeartbeatEnd>;
  readonly intervalMs: number;
  readonly validityMs: number;

  #state: HeartbeatState = 'running';
  #beats = 0;
  #lastBeatAt: number | undefined;
  // The session was renewed by the login that created it: the server's clock started then.
  #lastContact = Date.now();
  #resolveStopped!: (end: HeartbeatEnd) => void;
  /** Ends the current wait at once; set while the loop sleeps. */
  #wake: (() => void) | undefined;
  /** Aborts the beat in flight; set while one is. */
  #inFlight: AbortController | undefined;
  readonly #session: HeartbeatSession;
  readonly #visibility: VisibilitySource | null;
  /**
   * Hidden tabs get their timers throttled (Chrome: to once a minute after a while), so a beat
   * may be overdue when the user returns. Beat at once then, rather than let the statecode lapse.
   */
  readonly #onVisible = () => {
    if (
      this.#visibility?.visibilityState === 'visible' &&
      Date.now() - this.#lastContact >= this.intervalMs
    ) {
      this.#wake?.();
    }
  };

  constructor(client: HeartbeatClient, session: HeartbeatSession, options: HeartbeatOptions = {}) {
    super();
    if (typeof client?.heartbeat !== 'function') {
      throw new KamiValidationError('client', 'client.heartbeat must be a function');
    }
    if (typeof session?.statecode !== 'string' || session.statecode === '') {
      throw new KamiValidationError('statecode', 'a session with a statecode is required');
    }
    const { validitySeconds: v, intervalMs: i } = options;
    if ((v !== undefined && !(v > 0 && v < Infinity)) || (i !== undefined && !(i > 0 && i < Infinity))) {
      throw new KamiValidationError(
        'validitySeconds',
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
    this.#session = session;
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    this.#visibility =
      options.document === undefined
        ? ((globalThis as { document?: VisibilitySource }).document ?? null)
        : options.document;
    if (options.signal?.aborted) {
      this.#end('aborted');
      return;
    }
    options.signal?.addEventListener('abort', () => this.#end('aborted'), { once: true });
    this.#visibility?.addEventListener('visibilitychange', this.#onVisible);
    // Failures are handled inside the loop; this only guards against a bug there.
    this.#run(client, options).catch((bug: unknown) => this.#end('lost', asKamiError(bug), 'rejected'));
  }

  get state(): HeartbeatState {
    return this.#state;
  }
  get statecode(): string {
    return this.#session.statecode;
  }
  get beats(): number {
    return this.#beats;
  }
  /** `Date.now()` of the last successful beat. */
  get lastBeatAt(): number | undefined {
    return this.#lastBeatAt;
  }

  /** Stops beating (aborting a beat in flight). Idempotent; resolves with the loop's end. */
  stop(): Promise<HeartbeatEnd> {
    this.#end('stopped');
    return this.stopped;
  }

  async #run(client: HeartbeatClient, opts: HeartbeatOptions): Promise<void> {
    const session = this.#session;
    const random = opts.random ?? Math.random;
    const backoff = {
      initialMs: opts.initialBackoffMs ?? 1_000,
      maxMs: opts.maxBackoffMs ?? Math.min(this.intervalMs, this.validityMs / 4),
      random,
    };
    const nextInterval = () => Math.round(this.intervalMs * (1 - INTERVAL_JITTER * random()));
    const outage = () =>
      new KamiError(
        'TIMEOUT',
        `no answer from the server for ${this.validityMs} ms: the session has expired`,
      );
    let attempt = 0;
    let lastError: KamiError | undefined;
    let delay = opts.immediate ? 0 : nextInterval();

    for (;;) {
      // Sleep until the next beat is due, or until woken (page visible again, or the end).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, delay));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      if (this.#state !== 'running') return;
      const deadline = this.#lastContact + this.validityMs;
      const started = Date.now();
      if (started >= deadline) return this.#end('lost', lastError ?? outage(), 'outage');
      // The beat's own signal: fires on stop, and when the statecode's validity has run out.
      const call = new AbortController();
      this.#inFlight = call;
      let expired = false;
      const expiry = setTimeout(() => {
        expired = true;
        call.abort(new Error('statecode validity elapsed'));
      }, deadline - started);
      try {
        const result = await client.heartbeat(session.statecode, {
          signal: call.signal,
          ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
          ...((opts.sendKami ?? true) && session.kami ? { kami: session.kami } : {}),
        });
        if (this.#state !== 'running') return;
        this.#lastContact = started;
        this.#lastBeatAt = Date.now();
        this.#beats++;
        attempt = 0;
        lastError = undefined;
        delay = nextInterval();
        this.emit('beat', result, { count: this.#beats, statecode: session.statecode, nextInMs: delay });
      } catch (thrown) {
        if (this.#state !== 'running') return;
        if (expired) return this.#end('lost', lastError ?? outage(), 'outage');
        const error = asKamiError(thrown);
        // An abort we did not cause (the client's own signal): nothing more can be sent.
        if (KamiAbortError.isInstance(error)) return this.#end('aborted');
        if ((opts.isDefinitive ?? isDefinitiveHeartbeatError)(error))
          return this.#end('lost', error, 'rejected');
        attempt++;
        lastError = error;
        const lostInMs = deadline - Date.now();
        if (lostInMs <= 0) return this.#end('lost', error, 'outage');
        delay = Math.min(backoffDelayMs(attempt, error, backoff), lostInMs);
        this.emit('error', error, { attempt, retryInMs: delay, lostInMs });
      } finally {
        clearTimeout(expiry);
        this.#inFlight = undefined;
      }
    }
  }

  /** Ends the loop once (later calls are ignored): settles `stopped`, and emits `lost` for a loss. */
  #end(reason: HeartbeatEnd['reason'], error?: KamiError, lostReason?: LostInfo['reason']): void {
    if (this.#state !== 'running') return;
    this.#state = reason === 'lost' ? 'lost' : 'stopped';
    this.#inFlight?.abort();
    this.#visibility?.removeEventListener('visibilitychange', this.#onVisible);
    this.#wake?.();
    if (error && lostReason) {
      this.#resolveStopped({ reason, error, lostReason, beats: this.#beats });
      this.emit('lost', error, { reason: lostReason });
    } else {
      this.#resolveStopped({ reason, beats: this.#beats });
    }
  }
}

/**
 * Keeps a login alive: beats at half the statecode validity (a little early, jittered), retries
 * transient failures with backoff, and ends with `lost` when the server refuses the session or
 * has not answered for the whole validity.
 *
 * ```ts
 * const hb = startHeartbeat(client, session, { validitySeconds: 600 });
 * hb.on('lost', (error) => showLogin(error.message));
 * ```
 */
export function startHeartbeat(
  client: HeartbeatClient,
  session: HeartbeatSession,
  options: HeartbeatOptions = {},
): Heartbeat {
  return new Heartbeat(client, session, options);
}

/** Foreign transports may throw non-Kami errors; the loop treats them as transient. */
function asKamiError(value: unknown): KamiError {
  if (KamiError.isInstance(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new KamiError('NETWORK_ERROR', `heartbeat failed: ${message}`, { cause: value });
}
