// Counters of failed attempts shared by every server process on one PostgreSQL database, so that
// N processes do not allow N times the failures and a restart does not reset them. Fixed
// windows: one row per key and window, incremented atomically in one statement.
import type { Database } from './types';

export interface AttemptStore {
  /** Counts one attempt of `key` in the window starting at `windowStart` (ms); returns the window's count. */
  hit(key: string, windowStart: number, expiresAt: number): Promise<number>;
  /** Takes back an attempt that turned out not to be a failure. */
  undo(key: string, windowStart: number): Promise<void>;
  /** Deletes windows that are over. */
  sweep(nowMs: number): Promise<number>;
}

export function postgresAttempts(db: Database): AttemptStore {
  return {
    async hit(key, windowStart, expiresAt) {
      const res = await db.query<{ count: unknown }>(
        `INSERT INTO attempts (key, window_start, expires_at, count) VALUES ($1, $2, $3, 1)
         ON CONFLICT (key, window_start) DO UPDATE SET count = attempts.count + 1
         RETURNING count`,
        [key, windowStart, expiresAt],
      );
      return Number(res.rows[0]?.count ?? 1);
    },
    async undo(key, windowStart) {
      await db.query(
        'UPDATE attempts SET count = count - 1 WHERE key = $1 AND window_start = $2 AND count > 0',
        [key, windowStart],
      );
    },
    async sweep(nowMs) {
      return (await db.query('DELETE FROM attempts WHERE expires_at <= $1', [nowMs])).rowCount;
    },
  };
}
