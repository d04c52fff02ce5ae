// What a T3 endpoint handler gets once the shared checks passed.
import type { AppRecord, KamiService } from '../../../domain/types';
import type { T3Reply } from '../reply';

export interface T3Call {
  service: KamiService;
  app: AppRecord;
  values: Map<string, string>;
  signText: string | undefined;
  ip: string;
  /** The client IP's region for region IP binding (looked up only when asked). */
  region?: (() => Promise<string | undefined>) | undefined;
  reply: T3Reply;
  /** Lets the handler put the masked card key on the request log line. */
  logCard(card: string | undefined): void;
}

export type T3Handler = (call: T3Call) => Promise<void>;
