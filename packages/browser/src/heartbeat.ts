import {
  type HeartbeatOptions as CoreHeartbeatOptions,
  type HeartbeatClient,
  HeartbeatLoop,
  type HeartbeatSession,
} from '@kami-verify/core';

// The loop, its policy and its events live in core (`HeartbeatLoop`, shared with
// @kami-verify/node); the browser plugs in page visibility.

/** The part of `document` used to notice the page coming back to the foreground. */
export interface VisibilitySource {
  readonly visibilityState: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export interface HeartbeatOptions extends CoreHeartbeatOptions {
  /** Where page visibility comes from. Default `globalThis.document`; `null` turns catch-up off. */
  document?: VisibilitySource | null;
}

/**
 * A running heartbeat loop: core's `HeartbeatLoop` with a catch-up beat when the page becomes
 * visible (with a `document`): hidden tabs get their timers throttled (Chrome: to once a minute
 * after a while), so a beat may be overdue when the user returns. Never rejects and never throws
 * into the page. Core's other defaults suit a page: listener errors are rethrown in a microtask
 * (they still reach `window.onerror` and the console), and durations are measured with
 * `Date.now()`, which, unlike `performance.now()` in some browsers, also counts the time the
 * machine slept, as the server does.
 */
export class Heartbeat extends HeartbeatLoop {
  constructor(client: HeartbeatClient, session: HeartbeatSession, options: HeartbeatOptions = {}) {
    const doc =
      options.document === undefined
        ? (globalThis as { document?: VisibilitySource }).document
        : options.document;
    super(client, session, options, {
      onVisible: doc
        ? (callback) => {
            const listener = () => doc.visibilityState === 'visible' && callback();
            doc.addEventListener('visibilitychange', listener);
            return () => doc.removeEventListener('visibilitychange', listener);
          }
        : undefined,
    });
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
export const startHeartbeat = (...args: ConstructorParameters<typeof Heartbeat>): Heartbeat =>
  new Heartbeat(...args);
