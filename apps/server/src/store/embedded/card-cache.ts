// The embedded store's card cache: cards loaded on first use (by card string or id), kept while
// they have uncommitted changes, evicted oldest-loaded first beyond a bound.
import type { CardRecord } from '../records';
import { selectCard, selectCardById } from '../sql/cards';
import type { Queryable } from '../types';

/** Clean cards kept in memory beyond this many are evicted (oldest loaded first). */
export const CARD_CACHE_MAX = 200_000;

const strKey = (appId: string, cardStr: string) => `${appId}\u0000${cardStr}`;

export class CardCache {
  private readonly byId = new Map<string, CardRecord>();
  private readonly idByStr = new Map<string, string>();
  private readonly loading = new Map<string, Promise<'found' | 'absent'>>();
  /** Bumped when the cache is dropped: a load that started before must not re-insert its row. */
  private epoch = 0;
  private evictScheduled = false;

  constructor(
    private readonly db: Queryable,
    /** Cards that must stay (uncommitted changes). */
    private readonly pinned: (id: string) => boolean,
    private readonly max: number = CARD_CACHE_MAX,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  byStr(appId: string, cardStr: string): CardRecord | undefined {
    const id = this.idByStr.get(strKey(appId, cardStr));
    return id === undefined ? undefined : this.byId.get(id);
  }

  has(appId: string, cardStr: string): boolean {
    return this.idByStr.has(strKey(appId, cardStr));
  }

  get(id: string): CardRecord | undefined {
    return this.byId.get(id);
  }

  /** A changed card (memory is authoritative; the batch writes it). */
  set(card: CardRecord): void {
    this.byId.set(card.id, card);
  }

  /** Loads one card (deduplicated per key); 'absent' when there is no such row. */
  load(by: { appId: string; cardStr: string } | { id: string }): Promise<'found' | 'absent'> {
    const key = 'id' in by ? `id:${by.id}` : `str:${strKey(by.appId, by.cardStr)}`;
    let p = this.loading.get(key);
    if (!p) {
      const epoch = this.epoch;
      const q = 'id' in by ? selectCardById(this.db, by.id) : selectCard(this.db, by.appId, by.cardStr);
      p = q
        .then((card) => {
          if (!card) return 'absent' as const;
          // Dropped meanwhile: the row may predate a write; the caller retries.
          if (this.epoch !== epoch) return 'found' as const;
          if (!this.byId.has(card.id)) this.add(card);
          return 'found' as const;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  clear(): void {
    this.byId.clear();
    this.idByStr.clear();
    this.epoch++;
  }

  /** Dirty cards cannot go; once their batch committed, the store asks again. */
  scheduleEviction(): void {
    if (this.byId.size > this.max && !this.evictScheduled) {
      this.evictScheduled = true;
      setImmediate(() => {
        this.evictScheduled = false;
        this.evict();
      });
    }
  }

  private add(card: CardRecord): void {
    this.byId.set(card.id, card);
    this.idByStr.set(strKey(card.appId, card.cardStr), card.id);
    // Evicted in a later macrotask, never here: an operation whose load just resolved runs its
    // synchronous section in the microtasks that follow and must still find its card (evicting
    // right away let concurrent loads evict each other's cards forever with a small cache).
    this.scheduleEviction();
  }

  private evict(): void {
    if (this.byId.size <= this.max) return;
    let excess = this.byId.size - Math.floor(this.max * 0.9);
    for (const [id, card] of this.byId) {
      if (excess <= 0) break;
      if (this.pinned(id)) continue;
      this.byId.delete(id);
      this.idByStr.delete(strKey(card.appId, card.cardStr));
      excess--;
    }
    // No epoch bump: PGlite runs statements in the order they were issued, so a load that
    // started before a card's flush resolves before that flush does, i.e. while the dirty card
    // is still cached (dirty cards are never evicted) and the stale row is ignored.
  }
}
