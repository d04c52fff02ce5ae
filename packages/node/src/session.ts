import {
  type CallOptions,
  type HeartbeatResult,
  type LoginResult,
  parseBeijingDateTime,
} from '@kami-verify/core';
import { type Heartbeat, type HeartbeatClient, type HeartbeatOptions, startHeartbeat } from './heartbeat';

/** A successful login: every field of the reply, plus what it takes to keep it alive. */
export interface Session extends LoginResult {
  /** The card this session was opened with. */
  readonly kami: string;
  /** The machine code that was sent (`imei` is what the server echoed). */
  readonly machineCode: string;
  /** `endTime` (Beijing time) as a `Date`; `undefined` if the server sent something else. */
  readonly expiresAt: Date | undefined;
  /** One heartbeat with the current statecode (and the card, like the managed loop). */
  heartbeat(call?: CallOptions): Promise<HeartbeatResult>;
  /**
   * Starts the managed loop (see `HeartbeatOptions`). After a `relogin` the loop also updates
   * this object's login fields (`statecode`, `token`, `time`, `date`, `endTime`, ...).
   */
  startHeartbeat(options?: HeartbeatOptions): Heartbeat;
}

export function createSession(
  client: HeartbeatClient,
  login: LoginResult,
  input: {
    kami: string;
    machineCode: string;
    defaults?: HeartbeatOptions | undefined;
    track: (hb: Heartbeat) => void;
  },
): Session {
  const session: Session = {
    ...login,
    kami: input.kami,
    machineCode: input.machineCode,
    expiresAt: toDate(login.endTime),
    heartbeat: (call) => client.heartbeat(session.statecode, { kami: input.kami, ...call }),
    startHeartbeat(options) {
      const heartbeat = startHeartbeat(
        client,
        { statecode: session.statecode, kami: input.kami, imei: input.machineCode },
        { ...input.defaults, ...options },
      );
      heartbeat.on('relogin', (fresh) => {
        Object.assign(session, fresh, { expiresAt: toDate(fresh.endTime) });
      });
      input.track(heartbeat);
      return heartbeat;
    },
  };
  return session;
}

function toDate(endTime: string): Date | undefined {
  const seconds = parseBeijingDateTime(endTime);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}
