// The embedded store's sessions, all in memory: statecode -> session, and each card's statecodes.

import { num } from '../sql/card-rows';
import type { SessionRecord } from '../storage';
import type { Queryable } from '../types';
import type { Batch } from './batch';

export class SessionTable {
  private readonly byStatecode = new Map<string, SessionRecord>();
  private readonly byCard = new Map<string, Set<string>>();
  /** Statecodes renewed since the last flush (written behind). */
  readonly renewals = new Set<string>();

  get size(): number {
    return this.byStatecode.size;
  }

  get(statecode: string): SessionRecord | undefined {
    return this.byStatecode.get(statecode);
  }

  /** Starts or renews `s` for its card, dropping the card's other expired sessions on the way. */
  start(batch: Batch, s: SessionRecord): void {
    for (const sc of this.byCard.get(s.cardId) ?? []) {
      const other = this.byStatecode.get(sc);
      if (other && sc !== s.statecode && other.expiresAt <= s.createdAt) this.remove(batch, other);
    }
    const existing = this.byStatecode.get(s.statecode);
    if (existing) {
      existing.expiresAt = s.expiresAt;
      existing.imei = s.imei;
      batch.sessions.set(existing.statecode, existing);
      return;
    }
    const added = { ...s };
    this.add(added);
    batch.sessions.set(added.statecode, added);
  }

  remove(batch: Batch, s: SessionRecord): void {
    this.byStatecode.delete(s.statecode);
    this.renewals.delete(s.statecode);
    const set = this.byCard.get(s.cardId);
    set?.delete(s.statecode);
    if (set?.size === 0) this.byCard.delete(s.cardId);
    batch.sessions.set(s.statecode, null);
  }

  removeCard(batch: Batch, cardId: string): number {
    let n = 0;
    for (const sc of [...(this.byCard.get(cardId) ?? [])]) {
      const s = this.byStatecode.get(sc);
      if (s) {
        this.remove(batch, s);
        n++;
      }
    }
    return n;
  }

  removeExpired(batch: Batch, nowMs: number): number {
    let n = 0;
    for (const s of [...this.byStatecode.values()]) {
      if (s.expiresAt <= nowMs) {
        this.remove(batch, s);
        n++;
      }
    }
    return n;
  }

  /** The renewed sessions still alive, for a flush; clears the renewal set. */
  takeRenewals(except: Batch): SessionRecord[] {
    const out: SessionRecord[] = [];
    for (const sc of this.renewals) {
      const s = this.byStatecode.get(sc);
      if (s && !except.sessions.has(sc)) out.push(s);
    }
    this.renewals.clear();
    return out;
  }

  async reload(db: Queryable): Promise<void> {
    const res = await db.query<{
      statecode: string;
      card_id: unknown;
      app_id: unknown;
      imei: string | null;
      expires_at: unknown;
      created_at: unknown;
    }>('SELECT statecode, card_id, app_id, imei, expires_at, created_at FROM sessions');
    this.byStatecode.clear();
    this.byCard.clear();
    this.renewals.clear();
    for (const r of res.rows) {
      this.add({
        statecode: r.statecode,
        cardId: String(r.card_id),
        appId: String(r.app_id),
        imei: r.imei ?? '',
        expiresAt: num(r.expires_at),
        createdAt: num(r.created_at),
      });
    }
  }

  private add(s: SessionRecord): void {
    this.byStatecode.set(s.statecode, s);
    let set = this.byCard.get(s.cardId);
    if (!set) {
      set = new Set();
      this.byCard.set(s.cardId, set);
    }
    set.add(s.statecode);
  }
}
