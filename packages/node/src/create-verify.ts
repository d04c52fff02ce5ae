import {
  type CallOptions,
  createVerify as createCoreVerify,
  KamiValidationError,
  type Transport,
  type VerifyClient,
  type VerifyOptions,
} from '@kami-verify/core';
import type { Dispatcher } from 'undici';
import { nodeMd5 } from './crypto/node-md5';
import { type Heartbeat, type HeartbeatOptions, type HeartbeatSession, startHeartbeat } from './heartbeat';
import { getMachineCode, type MachineCodeOptions } from './machine-code';
import { createUndiciTransport } from './net/undici-transport';
import { createSession, type Session } from './session';

export interface NodeVerifyOptions extends Omit<VerifyOptions, 'md5' | 'transport'> {
  /** TCP + TLS connect timeout per attempt. Default 3 000 ms. */
  connectTimeoutMs?: number;
  /** Idle keep-alive socket lifetime. Default 4 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Largest accepted response body. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Your own undici dispatcher (e.g. a `ProxyAgent`); `close()` leaves it open. */
  dispatcher?: Dispatcher;
  /** Replaces the undici transport altogether (tests, exotic stacks). */
  transport?: Transport;
  /** How `login(kami)` computes the machine code when none is passed. */
  machineCode?: MachineCodeOptions;
  /** Defaults for every `session.startHeartbeat()` (e.g. `{ validitySeconds: 600 }`). */
  heartbeat?: HeartbeatOptions;
}

export interface NodeVerifyClient extends Omit<VerifyClient, 'login'> {
  /**
   * Card login. `imei` defaults to {@link getMachineCode} with `options.machineCode`. Resolves
   * to a {@link Session} once the token, statecode, clock and safe_code checks passed.
   */
  login(kami: string, imei?: string, call?: CallOptions): Promise<Session>;
  /** A heartbeat loop for any statecode (a `Session` has its own `startHeartbeat()`). */
  startHeartbeat(session: HeartbeatSession, options?: HeartbeatOptions): Heartbeat;
  /** Stops this client's heartbeats and releases its sockets. Later calls fail with a connect-phase error. */
  close(): Promise<void>;
}

/**
 * The Node client: `@kami-verify/core`'s `createVerify` with an undici transport (keep-alive,
 * connect timeout) and `node:crypto` MD5, plus sessions with managed heartbeats.
 */
export function createVerify(options: NodeVerifyOptions): NodeVerifyClient {
  const {
    connectTimeoutMs,
    keepAliveTimeoutMs,
    maxResponseBytes,
    dispatcher,
    transport: customTransport,
    machineCode,
    heartbeat: heartbeatDefaults,
    ...coreOptions
  } = options;
  for (const [field, value] of Object.entries({ connectTimeoutMs, keepAliveTimeoutMs, maxResponseBytes })) {
    if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new KamiValidationError(field, `${field} must be a positive number`);
    }
  }
  const undici = customTransport
    ? undefined
    : createUndiciTransport({ connectTimeoutMs, keepAliveTimeoutMs, maxResponseBytes, dispatcher });
  const core = createCoreVerify({ ...coreOptions, md5: nodeMd5, transport: customTransport ?? undici! });
  const running = new Set<Heartbeat>();
  const track = (heartbeat: Heartbeat) => {
    running.add(heartbeat);
    void heartbeat.stopped.then(() => running.delete(heartbeat));
  };

  return {
    ...core,
    async login(kami, imei, call) {
      const code = imei ?? (await getMachineCode(machineCode));
      const result = await core.login(kami, code, call);
      return createSession(core, result, { kami, machineCode: code, defaults: heartbeatDefaults, track });
    },
    startHeartbeat(session, heartbeatOptions) {
      const heartbeat = startHeartbeat(core, session, { ...heartbeatDefaults, ...heartbeatOptions });
      track(heartbeat);
      return heartbeat;
    },
    async close() {
      await Promise.all([...running].map((heartbeat) => heartbeat.stop()));
      await undici?.close();
    },
  };
}
