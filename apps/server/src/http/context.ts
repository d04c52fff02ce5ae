import type { ResolvedServerSection } from '../config/types';
import type { Clock, KamiService } from '../domain/types';
import type { LogSink } from './request-log';
import type { LoginThrottle } from './throttle';

/** What every route handler needs; built once per app in createApp. */
export interface HttpContext {
  service: KamiService;
  clock: Clock;
  server: ResolvedServerSection;
  throttle: LoginThrottle;
  log: LogSink;
}
