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

/** What a session needs besides the login result. */
interface SessionInput {
  kami: string;
  machineCode: string;
  defaults?: HeartbeatOptions | undefined;
  track: (hb: Heartbeat) => void;
}

/**
 * A class, not an object literal spread from the login result: spreading a reply's dozen fields
 * cost microseconds per login, more than the protocol work. The methods are own arrow functions
 * so that `const { heartbeat } = session` keeps working.
 */
class LoginSession {
  declare readonly kami: string;
  declare readonly machineCode: string;
  declare readonly expiresAt: Date | undefined;
  readonly heartbeat: Session['heartbeat'];
  readonly startHeartbeat: Session['startHeartbeat'];

  constructor(client: HeartbeatClient, login: LoginResult, input: SessionInput) {
    Object.assign(this, login, {
      kami: input.kami,
      machineCode: input.machineCode,
      expiresAt: toDate(login.endTime),
    });
    const self = this as unknown as Session;
    this.heartbeat = (call) => client.heartbeat(self.statecode, { kami: input.kami, ...call });
    this.startHeartbeat = (options) => {
      const heartbeat = startHeartbeat(
        client,
        { statecode: self.statecode, kami: input.kami, imei: input.machineCode },
        { ...input.defaults, ...options },
      );
      heartbeat.on('relogin', (fresh) => {
        Object.assign(self, fresh, { expiresAt: toDate(fresh.endTime) });
      });
      input.track(heartbeat);
      return heartbeat;
    };
  }
}

export function createSession(client: HeartbeatClient, login: LoginResult, input: SessionInput): Session {
  return new LoginSession(client, login, input) as unknown as Session;
}

function toDate(endTime: string): Date | undefined {
  const seconds = parseBeijingDateTime(endTime);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}
