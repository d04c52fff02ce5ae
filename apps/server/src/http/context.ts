import type { ResolvedServerSection } from '../config/types';
import type { Clock, KamiService } from '../domain/types';
import type { ClientIpResolver } from './client-ip';
import type { CorsPolicy } from './cors';
import type { LogSink } from './request-log';
import type { GuessThrottle } from './throttle';

/** What every route handler needs; built once per app in createApp. */
export interface HttpContext {
  service: KamiService;
  clock: Clock;
  server: ResolvedServerSection;
  throttle: GuessThrottle;
  /** Whether each request gets a log line (unexpected errors are logged regardless). */
  logging: boolean;
  log: LogSink;
  clientIp: ClientIpResolver;
  cors: CorsPolicy;
}
