// The PostgreSQL adapter's optimistic write (store/sql/card-writes.ts writeCardChangeIf): it
// writes only while the card row still holds the state the rule decided on, and a guarded
// session start waits for a change that holds the card FOR UPDATE (an unbind ending sessions)
// and then refuses, so no session outlives the end it raced.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKamiService, type KamiServiceHandle } from '../../src/domain/index';
import type { AppRecord, CardRecord } from '../../src/domain/types';
import { writeCardChangeIf } from '../../src/store/sql/card-writes';
import type { SessionRecord } from '../../src/store/storage';
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
    expect(await writeCardChangeIf(service.db, card, { cards: [after], sessions: [s] })).toBe(true);
    expect((await read(card.cardStr)).imei).toBe('DEVICE-1');
    expect(await sessionExists(s.statecode)).toBe(true);
  });

  it('writes nothing when the card changed since it was read (a binding lost to another)', async () => {
    const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
    await login(card.cardStr, 'DEVICE-2');
    const s = session(card);
    const after = { ...card, imei: 'DEVICE-1' };
    expect(await writeCardChangeIf(service.db, card, { cards: [after], sessions: [s] })).toBe(false);
    expect((await read(card.cardStr)).imei).toBe('DEVICE-2');
    expect(await sessionExists(s.statecode)).toBe(false);
  });

  it('starts no session without a card change when the card changed since it was read', async () => {
    const card = await boundCard();
    await service.setCardDisabled({ app, cardStr: card.cardStr, disabled: true });
    const s = session(card);
    expect(await writeCardChangeIf(service.db, card, { sessions: [s] })).toBe(false);
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
      const write = writeCardChangeIf(service.db, card, { sessions: [s] });
      // The unbind's sessions end; the card changes; then it commits while the login waits.
      await unbind.query('DELETE FROM sessions WHERE card_id = $1', [card.id]);
      await unbind.query(
        'UPDATE cards SET imei = NULL, change_count = change_count + 1, modified_at = modified_at + 1 WHERE id = $1',
        [card.id],
      );
      await unbind.query('COMMIT');
      expect(await write).toBe(false);
      expect(await sessionExists(s.statecode)).toBe(false);
    } finally {
      await unbind.end();
    }
  });
});
