// The embedded store's in-memory state and group commit (src/store/embedded/): batching under
// concurrency, durability across a restart, a failed flush that must not leave memory diverged,
// and admin operations (and admin SQL through service.db) seen by later requests.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCache, upsertApp } from '../../src/domain/apps';
import type { DomainContext } from '../../src/domain/context';
import { createSnowflake } from '../../src/domain/ids';
import { createKamiService, type KamiServiceHandle } from '../../src/domain/index';
import { serviceOver } from '../../src/domain/service';
import type { CardRecord } from '../../src/domain/types';
import { md5 } from '../../src/md5';
import { FlushFailedError } from '../../src/store/embedded/batch';
import { EmbeddedStorage, LAZY_FLUSH_MS } from '../../src/store/embedded/embedded-storage';
import { openDatabase } from '../../src/store/index';
import { FLUSH_MARKER } from '../../src/store/sql/card-writes';
import type { Database } from '../../src/store/types';
import { newClock } from './harness';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A database wrapper that counts batch writes (flushes) and can be told to fail the next one(s). */
function faultyDatabase(db: Database) {
  const state = { flushes: 0, failNext: 0 };
  const wrapped: Database = {
    engine: db.engine,
    query: (sql, params) => {
      if (!sql.startsWith(FLUSH_MARKER)) return db.query(sql, params);
      state.flushes++;
      if (state.failNext > 0) {
        state.failNext--;
        // The flush is one statement: failing it writes nothing, like a lost connection.
        return Promise.reject(new Error('injected flush failure'));
      }
      return db.query(sql, params);
    },
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
  return { db: wrapped, state };
}

/** An EmbeddedStore over a fault-injecting database, with one app. */
async function faultyStore(options: { cardCacheMax?: number } = {}) {
  const raw = await openDatabase({ kind: 'memory' });
  const { db, state } = faultyDatabase(raw);
  const clock = newClock();
  const ctx: DomainContext = {
    db,
    clock,
    ids: createSnowflake(() => clock.now()),
    md5,
    userTokenTtlSeconds: 7200,
  };
  const app = await upsertApp(ctx, { name: `app-${randomBytes(4).toString('hex')}` });
  const storage = new EmbeddedStorage(db, clock, options);
  await storage.start();
  const apps = new AppCache();
  apps.add(app);
  // The service over this adapter, plus the adapter's own in-memory sizes.
  const store = Object.assign(serviceOver(storage, ctx, apps), { stats: () => storage.stats() });
  cleanup.push(async () => {
    await store.close().catch(() => {});
    await raw.close().catch(() => {});
  });
  const onDisk = async (cardStr: string) =>
    (
      await raw.query<{ imei: string | null; uses_left: unknown; activated_at: unknown; n: unknown }>(
        `SELECT imei, uses_left, activated_at, (SELECT count(*) FROM sessions s WHERE s.card_id = c.id) AS n
         FROM cards c WHERE app_id = $1 AND card_str = $2`,
        [app.id, cardStr],
      )
    ).rows[0];
  return { ctx, app, store, state, clock, raw, onDisk };
}

describe('embedded store: group commit', () => {
  it('concurrent logins on many cards are written in far fewer flushes, all acknowledged ones on disk', async () => {
    const { app, store, state, onDisk } = await faultyStore();
    const cards: CardRecord[] = [];
    for (let i = 0; i < 20; i++) cards.push(await store.mintCard({ app, card: { kind: 'count', uses: 3 } }));
    state.flushes = 0;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.login({ app, kami: (cards[i % 20] as CardRecord).cardStr, imei: 'D', ip: '' }),
      ),
    );
    // 3 uses per card: exactly 60 successes, the rest used up.
    expect(results.filter((r) => r.ok)).toHaveLength(60);
    expect(new Set(results.flatMap((r) => (r.ok ? [] : [r.error])))).toEqual(
      new Set(['CARD_USES_EXHAUSTED']),
    );
    expect(state.flushes).toBeGreaterThan(0);
    expect(state.flushes).toBeLessThan(60);
    for (const card of cards) {
      const row = await onDisk(card.cardStr);
      expect(Number(row?.uses_left)).toBe(0);
      expect(row?.imei).toBe('D');
    }
  });
});

describe('embedded store: re-logins written behind', () => {
  it('answers a re-login without a flush; its session rides with the next batch', async () => {
    const { app, store, state, clock, onDisk } = await faultyStore();
    const card = await store.mintCard({ app, card: { kind: 'time', type: 2 } });
    const other = await store.mintCard({ app, card: { kind: 'time', type: 2 } });
    const first = await store.login({ app, kami: card.cardStr, imei: 'A', ip: '' });
    if (!first.ok) throw new Error(first.error);
    // The binding login is on disk once answered.
    expect([(await onDisk(card.cardStr))?.imei, Number((await onDisk(card.cardStr))?.n)]).toEqual(['A', 1]);
    const flushes = state.flushes;
    clock.advance({ seconds: 2 });
    const again = await store.login({ app, kami: card.cardStr, imei: 'A', ip: '' });
    if (!again.ok) throw new Error(again.error);
    expect(again.body.statecode).not.toBe(first.body.statecode);
    expect(state.flushes).toBe(flushes);
    expect(Number((await onDisk(card.cardStr))?.n)).toBe(1);
    // The new session works at once (memory), and reaches the disk with the next durable change.
    expect((await store.heartbeat({ app, statecode: again.body.statecode })).ok).toBe(true);
    expect((await store.login({ app, kami: other.cardStr, imei: 'B', ip: '' })).ok).toBe(true);
    expect(Number((await onDisk(card.cardStr))?.n)).toBe(2);
  });

  it('with no other write, the session is on disk within the lazy-flush delay', async () => {
    const { app, store, clock, onDisk } = await faultyStore();
    const card = await store.mintCard({ app, card: { kind: 'time', type: 2 } });
    expect((await store.login({ app, kami: card.cardStr, imei: 'A', ip: '' })).ok).toBe(true);
    clock.advance({ seconds: 2 });
    expect((await store.login({ app, kami: card.cardStr, imei: 'A', ip: '' })).ok).toBe(true);
    expect(Number((await onDisk(card.cardStr))?.n)).toBe(1);
    await expect
      .poll(async () => Number((await onDisk(card.cardStr))?.n), { timeout: LAZY_FLUSH_MS * 3 })
      .toBe(2);
  });

  it("a re-login that met its card's binding still on the way to disk shares that batch's fate", async () => {
    const { app, store, state, onDisk } = await faultyStore();
    const card = await store.mintCard({ app, card: { kind: 'time', type: 2 } });
    state.failNext = 1;
    // Same tick: the first binds (a change), the second finds the card bound and changes nothing.
    const results = await Promise.allSettled([
      store.login({ app, kami: card.cardStr, imei: 'A', ip: '' }),
      store.login({ app, kami: card.cardStr, imei: 'A', ip: '' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await onDisk(card.cardStr))?.imei).toBeNull();
    expect((await store.login({ app, kami: card.cardStr, imei: 'B', ip: '' })).ok).toBe(true);
  });

  it('a failed flush loses the written-behind session, never card state', async () => {
    const { app, store, state, clock, onDisk } = await faultyStore();
    const card = await store.mintCard({ app, card: { kind: 'time', type: 2 } });
    const other = await store.mintCard({ app, card: { kind: 'count', uses: 2 } });
    const first = await store.login({ app, kami: card.cardStr, imei: 'A', ip: '' });
    if (!first.ok) throw new Error(first.error);
    clock.advance({ seconds: 2 });
    const soft = await store.login({ app, kami: card.cardStr, imei: 'A', ip: '' });
    if (!soft.ok) throw new Error(soft.error);
    state.failNext = 1;
    await expect(store.login({ app, kami: other.cardStr, imei: 'B', ip: '' })).rejects.toBeInstanceOf(
      FlushFailedError,
    );
    // The card is still bound to A (memory equals disk); the first session lives, the soft one ended.
    expect((await store.heartbeat({ app, statecode: first.body.statecode })).ok).toBe(true);
    expect(await store.heartbeat({ app, statecode: soft.body.statecode })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });
    expect((await onDisk(card.cardStr))?.imei).toBe('A');
    expect(await store.login({ app, kami: card.cardStr, imei: 'C', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
  });
});

describe('embedded store: card cache eviction', () => {
  it('a small cache evicts clean cards only; reloaded cards keep every acknowledged change', async () => {
    const { app, store, onDisk } = await faultyStore({ cardCacheMax: 10 });
    const cards: CardRecord[] = [];
    for (let i = 0; i < 40; i++) cards.push(await store.mintCard({ app, card: { kind: 'count', uses: 2 } }));
    // Two rounds of concurrent logins over four times more cards than the cache holds.
    for (const imei of ['A', 'A']) {
      const results = await Promise.all(
        cards.map((c) => store.login({ app, kami: c.cardStr, imei, ip: '' })),
      );
      expect(results.every((r) => r.ok)).toBe(true);
    }
    const third = await Promise.all(
      cards.map((c) => store.login({ app, kami: c.cardStr, imei: 'A', ip: '' })),
    );
    expect(new Set(third.map((r) => (r.ok ? 'ok' : r.error)))).toEqual(new Set(['CARD_USES_EXHAUSTED']));
    const other = await store.login({ app, kami: (cards[0] as CardRecord).cardStr, imei: 'B', ip: '' });
    expect(other).toEqual({ ok: false, error: 'DEVICE_MISMATCH' });
    for (const c of cards) expect(Number((await onDisk(c.cardStr))?.uses_left)).toBe(0);
    // Eviction runs in a later macrotask and keeps the cache at its bound.
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.stats().cachedCards).toBeLessThanOrEqual(10);
    expect(store.stats().pendingCards).toBe(0);
  });
});

describe('embedded store: durability across restart', () => {
  it('a restart after close() sees every acknowledged change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kami-embedded-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = newClock();
    const apps = [{ name: 'durable' }];
    const first = await createKamiService({ db: { kind: 'file', path: dir }, clock, apps });
    const app = first.listApps()[0];
    if (!app) throw new Error('no app');
    const bound = await first.mintCard({ app, card: { kind: 'time', type: 2 } });
    const counted = await first.mintCard({ app, card: { kind: 'count', uses: 5 } });
    const unbound = await first.mintCard({ app, card: { kind: 'permanent' } });
    const disabled = await first.mintCard({ app, card: { kind: 'permanent' } });
    const deleted = await first.mintCard({ app, card: { kind: 'permanent' } });

    const login = await first.login({ app, kami: bound.cardStr, imei: 'DEV-1', ip: '' });
    if (!login.ok) throw new Error(login.error);
    await Promise.all(
      Array.from({ length: 3 }, () => first.login({ app, kami: counted.cardStr, imei: 'C', ip: '' })),
    );
    expect((await first.login({ app, kami: unbound.cardStr, imei: 'U', ip: '' })).ok).toBe(true);
    expect(await first.unbind({ app, kami: unbound.cardStr, imei: 'U' })).toEqual({ ok: true, change: 1 });
    expect(await first.setCardDisabled({ app, cardStr: disabled.cardStr, disabled: true })).toBe(true);
    expect(await first.deleteCard({ app, cardStr: deleted.cardStr })).toBe(true);
    // A renewal is written behind; close() writes it too.
    clock.advance({ seconds: 500 });
    expect((await first.heartbeat({ app, statecode: login.body.statecode })).ok).toBe(true);
    await first.close();

    const second = await createKamiService({ db: { kind: 'file', path: dir }, clock, apps });
    cleanup.push(() => second.close());
    const app2 = second.listApps()[0];
    if (!app2) throw new Error('no app');
    expect(app2.id).toBe(app.id);
    const b = await second.getCard({ app: app2, cardStr: bound.cardStr });
    expect(b?.imei).toBe('DEV-1');
    expect(b?.activatedAt).not.toBeNull();
    expect((await second.getCard({ app: app2, cardStr: counted.cardStr }))?.usesLeft).toBe(2);
    const u = await second.getCard({ app: app2, cardStr: unbound.cardStr });
    expect([u?.imei, u?.change]).toEqual([null, 1]);
    expect((await second.getCard({ app: app2, cardStr: disabled.cardStr }))?.disabled).toBe(true);
    expect((await second.getCard({ app: app2, cardStr: deleted.cardStr }))?.status).toBe(0);
    // The session survived, renewed: 500 s + 600 s validity from the renewal, so alive at +1000 s.
    clock.advance({ seconds: 500 });
    expect((await second.heartbeat({ app: app2, statecode: login.body.statecode })).ok).toBe(true);
    expect(await second.login({ app: app2, kami: bound.cardStr, imei: 'OTHER', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
  });
});

describe('embedded store: a failed flush', () => {
  it('rejects the affected requests and leaves memory equal to disk', async () => {
    const { app, store, state, onDisk } = await faultyStore();
    const card = await store.mintCard({ app, card: { kind: 'count', uses: 3 } });
    state.failNext = 1;
    const results = await Promise.allSettled([
      store.login({ app, kami: card.cardStr, imei: 'A', ip: '' }),
      store.login({ app, kami: card.cardStr, imei: 'A', ip: '' }),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(FlushFailedError);
    }
    // Nothing of the failed batch, in memory or on disk.
    const mem = await store.getCard({ app, cardStr: card.cardStr });
    expect([mem?.imei, mem?.usesLeft, mem?.activatedAt]).toEqual([null, 3, null]);
    const disk = await onDisk(card.cardStr);
    expect([disk?.imei, Number(disk?.uses_left), disk?.activated_at, Number(disk?.n)]).toEqual([
      null,
      3,
      null,
      0,
    ]);

    // The store keeps working: another device may now bind, and the uses count from 3.
    const again = await store.login({ app, kami: card.cardStr, imei: 'B', ip: '' });
    if (!again.ok) throw new Error(again.error);
    expect(again.body.available).toBe(2);
    expect((await store.heartbeat({ app, statecode: again.body.statecode })).ok).toBe(true);
    expect((await onDisk(card.cardStr))?.imei).toBe('B');
  });

  it('rolls back an unbind and its ended sessions', async () => {
    const { app, store, state, onDisk } = await faultyStore();
    const card = await store.mintCard({ app, card: { kind: 'permanent' } });
    const login = await store.login({ app, kami: card.cardStr, imei: 'A', ip: '' });
    if (!login.ok) throw new Error(login.error);
    state.failNext = 1;
    await expect(store.unbind({ app, kami: card.cardStr, imei: 'A' })).rejects.toBeInstanceOf(
      FlushFailedError,
    );
    // Still bound, session still alive, in memory and on disk.
    expect((await store.heartbeat({ app, statecode: login.body.statecode })).ok).toBe(true);
    expect((await store.getCard({ app, cardStr: card.cardStr }))?.change).toBe(0);
    expect(await store.login({ app, kami: card.cardStr, imei: 'B', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
    const disk = await onDisk(card.cardStr);
    expect([disk?.imei, Number(disk?.n)]).toEqual(['A', 1]);
    expect(await store.unbind({ app, kami: card.cardStr, imei: 'A' })).toEqual({ ok: true, change: 1 });
  });
});

describe('embedded store: admin operations and admin SQL', () => {
  let service: KamiServiceHandle;
  afterEach(async () => {
    await service?.close();
  });

  it('are seen by later logins and heartbeats', async () => {
    const clock = newClock();
    service = await createKamiService({ db: { kind: 'memory' }, clock, apps: [{ name: 'admin' }] });
    const app = service.listApps()[0];
    if (!app) throw new Error('no app');
    // Looked up (and refused) before it exists, then minted: the login finds it.
    expect(await service.login({ app, kami: 'LATER', imei: 'A', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    await service.mintCard({ app, card: { kind: 'permanent' }, cardStr: 'LATER' });
    const first = await service.login({ app, kami: 'LATER', imei: 'A', ip: '' });
    if (!first.ok) throw new Error(first.error);

    await service.setCardDisabled({ app, cardStr: 'LATER', disabled: true });
    expect(await service.login({ app, kami: 'LATER', imei: 'A', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });
    expect(await service.heartbeat({ app, statecode: first.body.statecode })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });
    await service.setCardDisabled({ app, cardStr: 'LATER', disabled: false });
    expect((await service.heartbeat({ app, statecode: first.body.statecode })).ok).toBe(true);

    expect(await service.kickSessions({ app, cardStr: 'LATER' })).toBe(1);
    expect(await service.heartbeat({ app, statecode: first.body.statecode })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });

    // Admin SQL behind the service's back: the next login sees the cleared device.
    await service.db.query('UPDATE cards SET imei = NULL WHERE app_id = $1 AND card_str = $2', [
      app.id,
      'LATER',
    ]);
    const moved = await service.login({ app, kami: 'LATER', imei: 'B', ip: '' });
    if (!moved.ok) throw new Error(moved.error);
    expect(moved.body.imei).toBe('B');

    await service.deleteCard({ app, cardStr: 'LATER' });
    expect(await service.login({ app, kami: 'LATER', imei: 'B', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    expect(await service.heartbeat({ app, statecode: moved.body.statecode })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });
    // listCards reads the table: it reflects the in-memory changes (the card is gone).
    expect((await service.listCards({ app, page: 1, size: 10, cardStr: 'LATER' })).total).toBe(0);
  });
});
