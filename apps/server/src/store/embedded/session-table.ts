// The embedded store's sessions, all in memory: statecode -> session, each card's statecodes,
// and the statecodes opened with each login token (by its hash, for cloud_doc).

import { num } from '../sql/card-rows';
import type { SessionRecord } from '../storage';
import type { Queryable } from '../types';
import type { Batch } from './batch';

export class SessionTable {
  private readonly byStatecode = new Map<string, SessionRecord>();
  private readonly byCard = new Map<string, Set<string>>();
  /** `appId \0 tokenHash` -> statecodes. */
  private readonly byToken = new Map<string, Set<string>>();
  /** Statecodes renewed since the last flush (written behind). */
  readonly renewals = new Set<string>();
  /** Where the incremental expiry left off (Map iteration survives deletions). */
  private cursor: Iterator<SessionRecord> | undefined;
  /** Sessions looked at by logins: the work a login does, for tests. */
  visitedByLogins = 0;

  get size(): number {
    return this.byStatecode.size;
  }

  /** Live sessions of an app (a scan: online counts are rare requests). */
  countLive(appId: string, nowMs: number): number {
    let n = 0;
    for (const s of this.byStatecode.values()) if (s.appId === appId && s.expiresAt > nowMs) n++;
    return n;
  }

  /** The card's live sessions at `nowMs` (what query reports as line / line_time). */
  liveOf(cardId: string, nowMs: number): { live: number; lastExpiresAt: number | null } {
    let live = 0;
    let lastExpiresAt: number | null = null;
    for (const sc of this.byCard.get(cardId) ?? []) {
      const s = this.byStatecode.get(sc);
      if (!s || s.expiresAt <= nowMs) continue;
      live++;
      lastExpiresAt = Math.max(lastExpiresAt ?? 0, s.expiresAt);
    }
    return { live, lastExpiresAt };
  }

  get(statecode: string): SessionRecord | undefined {
    return this.byStatecode.get(statecode);
  }

  /** The session opened with this token (hash) that lives the longest, expired or not. */
  byTokenHash(appId: string, tokenHash: string): SessionRecord | undefined {
    let best: SessionRecord | undefined;
    for (const sc of this.byToken.get(tokenKey(appId, tokenHash)) ?? []) {
      const s = this.byStatecode.get(sc);
      if (s && (!best || s.expiresAt > best.expiresAt)) best = s;
    }
    return best;
  }

  /**
   * Starts or renews `s` for its card: the card's expired sessions end on the way, and beyond
   * `limit` live ones the oldest end. The card's set never exceeds `limit`, so this work does
   * not grow with how often the card logged in.
   */
  start(batch: Batch, s: SessionRecord, limit: number): void {
    const set = this.byCard.get(s.cardId);
    for (const sc of set ?? []) {
      this.visitedByLogins++;
      const other = this.byStatecode.get(sc);
      if (other && sc !== s.statecode && other.expiresAt <= s.createdAt) this.remove(batch, other);
    }
    const existing = this.byStatecode.get(s.statecode);
    if (existing) {
      existing.expiresAt = s.expiresAt;
      existing.imei = s.imei;
      if (s.tokenHash !== undefined && existing.tokenHash === undefined) {
        existing.tokenHash = s.tokenHash;
        this.indexToken(existing);
      }
      batch.sessions.set(existing.statecode, existing);
    } else {
      const added = { ...s };
      this.add(added);
      batch.sessions.set(added.statecode, added);
    }
    // A set iterates in insertion order: the first is the oldest.
    const live = this.byCard.get(s.cardId);
    while (live && live.size > limit) {
      const oldest = this.byStatecode.get(live.values().next().value as string);
      if (!oldest || oldest.statecode === s.statecode) break;
      this.remove(batch, oldest);
    }
  }

  remove(batch: Batch, s: SessionRecord): void {
    this.byStatecode.delete(s.statecode);
    this.renewals.delete(s.statecode);
    if (s.tokenHash !== undefined) {
      const key = tokenKey(s.appId, s.tokenHash);
      const tokens = this.byToken.get(key);
      tokens?.delete(s.statecode);
      if (tokens?.size === 0) this.byToken.delete(key);
    }
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

  /**
   * Ends expired sessions, looking at no more than `budget` sessions: the sweep continues where
   * the last one stopped, so expiry costs a bounded slice per call, never a walk of the table.
   */
  removeExpired(batch: Batch, nowMs: number, budget: number): { removed: number; visited: number } {
    let removed = 0;
    let visited = 0;
    while (visited < budget) {
      this.cursor ??= this.byStatecode.values();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        break;
      }
      visited++;
      if (next.value.expiresAt <= nowMs) {
        this.remove(batch, next.value);
        removed++;
      }
    }
    return { removed, visited };
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

  /** Loads the live sessions (expired ones stay on disk until swept, never in memory). */
  async reload(db: Queryable, nowMs: number): Promise<void> {
    const res = await db.query<{
      statecode: string;
      card_id: unknown;
      app_id: unknown;
      imei: string | null;
      expires_at: unknown;
      created_at: unknown;
      token_hash: string | null;
    }>(
      'SELECT statecode, card_id, app_id, imei, expires_at, created_at, token_hash FROM sessions WHERE expires_at > $1 ORDER BY created_at',
      [nowMs],
    );
    this.byStatecode.clear();
    this.byCard.clear();
    this.byToken.clear();
    this.renewals.clear();
    this.cursor = undefined;
    for (const r of res.rows) {
      this.add({
        statecode: r.statecode,
        cardId: String(r.card_id),
        appId: String(r.app_id),
        imei: r.imei ?? '',
        expiresAt: num(r.expires_at),
        createdAt: num(r.created_at),
        ...(r.token_hash === null ? {} : { tokenHash: r.token_hash }),
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
    this.indexToken(s);
  }

  private indexToken(s: SessionRecord): void {
    if (s.tokenHash === undefined) return;
    const key = tokenKey(s.appId, s.tokenHash);
    let tokens = this.byToken.get(key);
    if (!tokens) {
      tokens = new Set();
      this.byToken.set(key, tokens);
    }
    tokens.add(s.statecode);
  }
}

const tokenKey = (appId: string, tokenHash: string) => `${appId}\u0000${tokenHash}`;
