// Signatures seen within the timestamp window, for apps that refuse replays. The embedded store
// keeps them in memory, bounded: entries leave when they expire, and beyond the bound the oldest
// go first (a replay of an evicted signature would then pass: the bound is sized so that, at
// well above the server's throughput, nothing younger than a window is evicted).
import type { Database } from './types';

export const SEEN_SIGNATURES_MAX = 2_000_000;

export class SeenSignatures {
  /** key -> expiry (ms); a Map iterates in insertion order, which is expiry order per window length. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly max = SEEN_SIGNATURES_MAX) {}

  firstUse(key: string, nowMs: number, expiresAt: number): boolean {
    // Expired entries at the front leave first: bounded work, amortised over insertions.
    for (const [k, exp] of this.seen) {
      if (exp > nowMs) break;
      this.seen.delete(k);
    }
    const known = this.seen.get(key);
    if (known !== undefined && known > nowMs) return false;
    this.seen.delete(key);
    this.seen.set(key, expiresAt);
    if (this.seen.size > this.max) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}

/** The shared form on PostgreSQL: one row per signature, inserted only if absent or expired. */
export async function firstUseInDatabase(
  db: Database,
  appId: string,
  signature: string,
  nowMs: number,
  expiresAt: number,
): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO seen_signatures (app_id, signature, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (app_id, signature) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE seen_signatures.expires_at <= $4
     RETURNING signature`,
    [appId, signature, expiresAt, nowMs],
  );
  return res.rowCount > 0;
}
