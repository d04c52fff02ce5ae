import type { Md5 } from '@kami-verify/core';
import type { Database } from '../store/types';
import type { SnowflakeGenerator } from './ids';
import type { Clock } from './types';

/** What every domain operation needs; built once by createKamiService. */
export interface DomainContext {
  db: Database;
  clock: Clock;
  ids: SnowflakeGenerator;
  md5: Md5;
  userTokenTtlSeconds: number;
}

/** The clock's time as unix seconds (the protocol's `time`). */
export function nowSeconds(ctx: Pick<DomainContext, 'clock'>): number {
  return Math.floor(ctx.clock.now() / 1000);
}
