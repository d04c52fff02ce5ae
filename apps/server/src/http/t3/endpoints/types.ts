// What a T3 endpoint handler receives once the shared checks passed. The rules (required
// fields, card rules) are the domain's; a handler only maps fields in and replies out.
import type { AppRecord, KamiService } from '../../../domain/types';
import type { T3Reply } from '../reply';

export interface T3Call {
  service: KamiService;
  app: AppRecord;
  values: Map<string, string>;
  /** The pre-hash sign text when the request's signature was verified (it may go into the token). */
  signText: string | undefined;
  ip: string;
  /** The client IP's region for region IP binding, looked up only when a handler asks. */
  region?: (() => Promise<string | undefined>) | undefined;
  /** The server clock (ms), for replies that carry the time. */
  nowMs: number;
  reply: T3Reply;
  /** Lets the handler put the masked card key on the request log line. */
  logCard(card: string | undefined): void;
}

export type T3Handler = (call: T3Call) => Promise<void>;
