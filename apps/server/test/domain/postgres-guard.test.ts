// The PostgreSQL adapter's optimistic writes (store/sql/card-write-batch.ts): each card's write
// happens only while its row still holds the state the rule decided on, a guarded session start
// waits for a change that holds the card FOR UPDATE (an unbind ending sessions) and then refuses,
// so no session outlives the end it raced, and in a batch every card's guard decides for that
// card alone.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKamiService, type KamiServiceHandle } from '../../src/domain/index';
import type { AppRecord, CardRecord } from '../../src/domain/types';
import { type GuardedCardWrite, writeGuardedBatch } from '../../src/store/sql/card-write-batch';
import type { CardChange, SessionRecord } from '../../src/store/storage';
import { ADMIN_URL, createTestDatabase, newClock, PG_SKIP_NOTE } from './harness';

describe.skipIf(!ADMIN_URL)(`guarded card writes [postgres]${PG_SKIP_NOTE}`, () => {
  let database: { url: string; drop(): Promise<void> };
  let service: KamiServiceHandle;
  let app: AppRecord;
  const clock = newClock();
  let n = 0;
  const session = (card: CardRecord): SessionRecord => ({
    statecode: `guard-${++n}`,
    cardId: card.id,
    appId: app.id,
    imei: 'DEVICE-1',
    expiresAt: clock.now() + 60_000,
    createdAt: clock.now(),
  });
  const sessionExists = async (statecode: string) =>
    (await service.db.query('SELECT 1 FROM sessions WHERE statecode = $1', [statecode])).rowCount === 1;
  const write = (guard: CardRecord, change: GuardedCardWrite['change']) =>
    writeGuardedBatch(service.db, [{ guard, change, nowMs: clock.now() }]).then(([w]) => w!.passed);
  const read = async (cardStr: string) => (await service.getCard({ app, cardStr }))!;
  const login = async (cardStr: string, imei: string) =>
    expect((await service.login({ app, kami: cardStr, imei, ip: '127.0.0.1' })).ok).toBe(true);
  /** A time card bound to DEVICE-1, as last committed. */
  const boundCard = async () => {
    const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
    await login(card.cardStr, 'DEVICE-1');
    return read(card.cardStr);
  };

  beforeAll(async () => {
    database = await createTestDatabase(ADMIN_URL!);
    service = await createKamiService({
      db: { kind: 'postgres', url: database.url },
      clock,
      apps: [{ name: 'guard', settings: { unbindLimit: 100 } } as never],
    });
    app = service.listApps()[0]!;
  });
  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('writes a change and its session while the card is as read', async () => {
    const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
    const s = session(card);
    const after = { ...card, imei: 'DEVICE-1', modifiedAt: card.modifiedAt + 1 };
    expect(await write(card, { card: after, session: s })).toBe(true);
    expect((await read(card.cardStr)).imei).toBe('DEVICE-1');
    expect(await sessionExists(s.statecode)).toBe(true);
  });

  it('writes nothing when the card changed since it was read (a binding lost to another)', async () => {
    const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
    await login(card.cardStr, 'DEVICE-2');
    const s = session(card);
    const after = { ...card, imei: 'DEVICE-1' };
    expect(await write(card, { card: after, session: s })).toBe(false);
    expect((await read(card.cardStr)).imei).toBe('DEVICE-2');
    expect(await sessionExists(s.statecode)).toBe(false);
  });

  it('starts no session without a card change when the card changed since it was read', async () => {
    const card = await boundCard();
    await service.setCardDisabled({ app, cardStr: card.cardStr, disabled: true });
    const s = session(card);
    expect(await write(card, { session: s })).toBe(false);
    expect(await sessionExists(s.statecode)).toBe(false);
  });

  it('a session start racing an unbind that holds the card FOR UPDATE waits, then writes nothing', async () => {
    const card = await boundCard();
    const unbind = new pg.Client({ connectionString: database.url });
    await unbind.connect();
    try {
      await unbind.query('BEGIN');
      await unbind.query('SELECT 1 FROM cards WHERE id = $1 FOR UPDATE', [card.id]);
      const s = session(card);
      const pending = write(card, { session: s });
      // The unbind's sessions end; the card changes; then it commits while the login waits.
      await unbind.query('DELETE FROM sessions WHERE card_id = $1', [card.id]);
      await unbind.query(
        'UPDATE cards SET imei = NULL, change_count = change_count + 1, modified_at = modified_at + 1 WHERE id = $1',
        [card.id],
      );
      await unbind.query('COMMIT');
      expect(await pending).toBe(false);
      expect(await sessionExists(s.statecode)).toBe(false);
    } finally {
      await unbind.end();
    }
  });

  describe('many cards in one statement', () => {
    const liveSessions = async (cardId: string) =>
      (
        await service.db.query<{ statecode: string }>(
          'SELECT statecode FROM sessions WHERE card_id = $1 AND expires_at > $2',
          [cardId, clock.now()],
        )
      ).rows.map((r) => r.statecode);

    it("each card's guard decides for that card alone, and a failed one brings its current row", async () => {
      const kept = await boundCard();
      const moved = await boundCard();
      const counted = await service.mintCard({ app, card: { kind: 'count', uses: 5 } });
      await service.setCardDisabled({ app, cardStr: moved.cardStr, disabled: true });
      const used = { ...counted, usesLeft: 4, modifiedAt: counted.modifiedAt + 1 };
      const [a, b, c] = [session(kept), session(moved), session(counted)];
      // Not in card order (the statement sorts them): each answer still comes back in its place.
      const results = await writeGuardedBatch(service.db, [
        { guard: counted, change: { card: used, session: c }, nowMs: clock.now() },
        { guard: moved, change: { session: b }, nowMs: clock.now() },
        { guard: kept, change: { session: a }, nowMs: clock.now() },
      ]);
      expect(results.map((r) => r.passed)).toEqual([true, false, true]);
      expect(results[1]?.current?.disabled).toBe(true);
      expect(results[1]?.current?.card_str).toBe(moved.cardStr);
      expect(results[0]?.version).toMatch(/^\d+$/);
      expect(results[2]?.version).toBeUndefined();
      expect(await sessionExists(a.statecode)).toBe(true);
      expect(await sessionExists(b.statecode)).toBe(false);
      expect(await sessionExists(c.statecode)).toBe(true);
      expect((await read(counted.cardStr)).usesLeft).toBe(4);
    });

    it("a card's session limit holds for every card of a batch", async () => {
      const cards = [await boundCard(), await boundCard(), await boundCard()];
      for (const card of cards) await login(card.cardStr, 'DEVICE-1');
      const started = cards.map(session);
      const change = (i: number): CardChange => ({ session: started[i], sessionLimit: 1 });
      const results = await writeGuardedBatch(
        service.db,
        cards.map((guard, i) => ({ guard, change: change(i), nowMs: clock.now() })),
      );
      expect(results.every((r) => r.passed)).toBe(true);
      for (const [i, card] of cards.entries())
        expect(await liveSessions(card.id)).toEqual([started[i]!.statecode]);
    });

    it('parallel logins share statements, and a batch that fails as a whole is written card by card', async () => {
      const cards = await Promise.all(Array.from({ length: 8 }, () => boundCard()));
      for (const card of cards) await login(card.cardStr, 'DEVICE-1'); // cached: one write each
      const original = service.db.query.bind(service.db);
      const batchSizes: number[] = [];
      let failed = false;
      const spy = vi.spyOn(service.db, 'query').mockImplementation(async (sql, params) => {
        const size = Array.isArray(params?.[0]) ? params[0].length : 0;
        if (sql.includes('WITH v AS MATERIALIZED')) batchSizes.push(size);
        if (!failed && size > 1) {
          failed = true;
          throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        }
        return original(sql, params);
      });
      try {
        const results = await Promise.all(
          cards.map((c) => service.login({ app, kami: c.cardStr, imei: 'DEVICE-1', ip: '127.0.0.1' })),
        );
        expect(results.every((r) => r.ok)).toBe(true);
        for (const r of results) if (r.ok) expect(await sessionExists(r.body.statecode)).toBe(true);
      } finally {
        spy.mockRestore();
      }
      expect(failed).toBe(true);
      expect(batchSizes[0]).toBe(8); // all eight in one statement, then again one by one
      expect(batchSizes.slice(1)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    });
  });

  describe('the per-process card cache behind the guards', () => {
    const otherWriter = async (sql: string, params: unknown[]) => {
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      try {
        await c.query(sql, params);
      } finally {
        await c.end();
      }
    };
    const countQueries = async (fn: () => Promise<unknown>) => {
      const spy = vi.spyOn(service.db, 'query');
      try {
        await fn();
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    };

    it('a repeated login of a bound card is one round trip; a cold card is two', async () => {
      const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
      // Minting went through another path: the first login reads, then writes.
      expect(await countQueries(() => login(card.cardStr, 'DEVICE-1'))).toBe(2);
      expect(await countQueries(() => login(card.cardStr, 'DEVICE-1'))).toBe(1);
      expect(await countQueries(() => login(card.cardStr, 'DEVICE-1'))).toBe(1);
    });

    it('a card disabled by another process is refused at once, and served again once enabled', async () => {
      const card = await boundCard();
      await login(card.cardStr, 'DEVICE-1');
      await otherWriter('UPDATE cards SET disabled = true WHERE id = $1', [card.id]);
      const refused = await service.login({ app, kami: card.cardStr, imei: 'DEVICE-1', ip: '127.0.0.1' });
      expect(refused).toEqual({ ok: false, error: 'CARD_DISABLED' });
      await otherWriter('UPDATE cards SET disabled = false WHERE id = $1', [card.id]);
      // The refusal was not remembered: the next login reads the card again.
      await login(card.cardStr, 'DEVICE-1');
    });

    it('a change to a column outside the guarded state (core) still fails the guard: the reply is current', async () => {
      const card = await boundCard();
      await login(card.cardStr, 'DEVICE-1');
      await otherWriter('UPDATE cards SET core = $2 WHERE id = $1', [card.id, 'CAFE']);
      const result = await service.login({ app, kami: card.cardStr, imei: 'DEVICE-1', ip: '127.0.0.1' });
      expect(result.ok && result.body.core).toBe('CAFE');
    });

    it('a card bound elsewhere after it was cached: the cached guess loses, the rule decides on the new row', async () => {
      const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
      // Cached while unbound (a refusal is not cached; a successful query-free read is: a first login).
      await login(card.cardStr, 'DEVICE-1');
      await otherWriter('UPDATE cards SET imei = $2 WHERE id = $1', [card.id, 'DEVICE-9']);
      const result = await service.login({ app, kami: card.cardStr, imei: 'DEVICE-1', ip: '127.0.0.1' });
      expect(result).toEqual({ ok: false, error: 'DEVICE_MISMATCH' });
      expect((await read(card.cardStr)).imei).toBe('DEVICE-9');
    });
  });
});
