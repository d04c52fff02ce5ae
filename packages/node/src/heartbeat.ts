import {
  type CallOptions,
  type HeartbeatClient as CoreHeartbeatClient,
  type HeartbeatOptions as CoreHeartbeatOptions,
  type HeartbeatSession as CoreHeartbeatSession,
  HeartbeatLoop,
  type HeartbeatPlatform,
  KamiValidationError,
  type LoginResult,
} from '@kami-verify/core';

// The loop, its policy and its events live in core (`HeartbeatLoop`, shared with
// @kami-verify/browser); Node plugs in its hooks and `relogin`.
export type {
  BeatInfo,
  HeartbeatEnd,
  HeartbeatEvents,
  HeartbeatState,
  LostInfo,
  TransientErrorInfo,
} from '@kami-verify/core';

/** What the loop needs from a client: `heartbeat`, and `login` for `relogin`. */
export interface HeartbeatClient extends CoreHeartbeatClient {
  login?(kami: string, imei: string, call?: CallOptions): Promise<LoginResult>;
}

/** The session to keep alive: a login result, or at least its statecode. */
export interface HeartbeatSession extends CoreHeartbeatSession {
  /** Sent with each beat (`sendKami`); needed for `relogin`. */
  kami?: string;
  /** The machine code to log in again with (`relogin`). */
  imei?: string;
}

export interface HeartbeatOptions extends CoreHeartbeatOptions {
  /**
   * Log in again (same card, same machine code) when the server answers 状态码不存在, i.e. it
   * dropped the session (restart without persistence, kicked sessions, a beat that came too
   * late) while the card may still be valid. If that login fails definitively (卡密已到期,
   * 卡密被禁用, ...) the loop ends with `lost` for that error. It never extends an outage: after
   * `validitySeconds` without any answer the loop is `lost` either way. Default false.
   */
  relogin?: boolean;
}

/**
 * Node's hooks: `unref()`ed timers, so a heartbeat never keeps the process alive by itself; the
 * monotonic clock, so a wall-clock jump (NTP, a manual change) neither fakes nor hides an outage;
 * and a throwing listener rethrown on the next tick, like a throw in any other callback.
 */
const NODE_PLATFORM: HeartbeatPlatform = {
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return timer;
  },
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
  reportError: (error) =>
    process.nextTick(() => {
      throw error;
    }),
};

/**
 * A running heartbeat loop (core's `HeartbeatLoop` with Node's hooks). Never rejects, never
 * throws into the app, and its timers are `unref()`ed: it does not keep the process alive by itself.
 */
export class Heartbeat extends HeartbeatLoop {
  constructor(client: HeartbeatClient, session: HeartbeatSession, options: HeartbeatOptions = {}) {
    if (options.relogin && !(session?.kami && session.imei && typeof client?.login === 'function')) {
      throw new KamiValidationError(
        'relogin',
        'relogin needs the session kami and imei and a client with login()',
      );
    }
    super(
      client,
      session,
      options,
      options.relogin
        ? {
            ...NODE_PLATFORM,
            // 状态码不存在: the server dropped the session; the card may still be good.
            relogin: (error) =>
              error.code === 'STATECODE_NOT_FOUND'
                ? (call) => client.login!(session.kami!, session.imei!, call)
                : undefined,
          }
        : NODE_PLATFORM,
    );
  }
}

/** Starts a managed heartbeat for a login. See {@link HeartbeatOptions} and {@link HeartbeatEvents}. */
export const startHeartbeat = (...args: ConstructorParameters<typeof Heartbeat>): Heartbeat =>
  new Heartbeat(...args);
