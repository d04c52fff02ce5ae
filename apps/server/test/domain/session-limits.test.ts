// Sessions stay bounded: per card (maxSessionsPerCard, the oldest end), in the work a login does,
// and in what the embedded store holds (expired sessions are swept in bounded slices and never
// loaded at start).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppCache, upsertApp } from '../../src/domain/apps';
import type { DomainContext } from '../../src/domain/context';
import { createSnowflake } from '../../src/domain/ids';
import { serviceOver } from '../../src/domain/service';
import { md5 } from '../../src/md5';
import { Batch } from '../../src/store/embedded/batch';
import { EmbeddedStorage } from '../../src/store/embedded/embedded-storage';
import { SessionTable } from '../../src/store/embedded/session-table';
import { openDatabase } from '../../src/store/index';
import { describeEngines, newClock } from './harness';

const DAY = 86_400;

describeEngines('maxSessionsPerCard', (engine) => {
  it('a login beyond the limit ends the oldest session', async () => {
    const { service, app, clock } = await engine.start({ app: { settings: { maxSessionsPerCard: 3 } } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const statecodes: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance({ seconds: 1 }); // a new second, a new statecode
      const login = await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
      if (!login.ok) throw new Error(login.error);
      statecodes.push(login.body.statecode);
    }
    const beats = await Promise.all(statecodes.map((statecode) => service.heartbeat({ app, statecode })));
    expect(beats.map((b) => b.ok)).toEqual([false, false, true, true, true]);
  });

  it('many logins of one card keep its live sessions at the limit', { timeout: 300_000 }, async () => {
    // Sessions that would otherwise all live (a day), so only the limit bounds them.
    const settings = { maxSessionsPerCard: 5, statecodeValiditySeconds: DAY };
    const { service, app, clock } = await engine.start({ app: { settings } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const logins = engine.name === 'pglite' ? 10_000 : 1_000; // PostgreSQL: a transaction each
    for (let i = 0; i < logins; i++) {
      clock.advance({ seconds: 1 });
      const login = await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
      if (!login.ok) throw new Error(login.error);
      if (i % 250 === 249) {
        const live = await service.db.query<{ n: unknown }>(
          'SELECT count(*) AS n FROM sessions WHERE card_id = $1 AND expires_at > $2',
          [card.id, clock.now()],
        );
        expect(Number(live.rows[0]?.n), `after ${i + 1} logins`).toBe(5);
      }
    }
  });
});

/** An embedded store over a real (memory or directory) PGlite database, with one app. */
async function embeddedStore(dbPath?: string, clock = newClock()) {
  const db = await openDatabase(dbPath ? { kind: 'file', path: dbPath } : { kind: 'memory' });
  const ctx: DomainContext = {
    db,
    clock,
    ids: createSnowflake(() => clock.now()),
    md5,
    userTokenTtlSeconds: 7200,
  };
  const app = await upsertApp(ctx, {
    name: 'sessions',
    settings: { maxSessionsPerCard: 5, statecodeValiditySeconds: 60 },
  });
  const storage = new EmbeddedStorage(db, clock);
  await storage.start();
  const apps = new AppCache();
  apps.add(app);
  return { service: serviceOver(storage, ctx, apps), storage, app, clock };
}

describe('embedded store: session work and memory stay bounded', () => {
  it('the work of a login does not grow with how often its card logged in', async () => {
    const { service, storage, app, clock } = await embeddedStore();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    for (let i = 0; i < 10_000; i++) {
      clock.advance({ seconds: 1 });
      await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
    }
    const stats = storage.stats();
    expect(stats.sessions).toBeLessThanOrEqual(5);
    // Each login looks at the card's sessions, never more than the limit.
    expect(stats.sessionsVisitedByLogins).toBeLessThanOrEqual(10_000 * 5);
    await service.close();
  });

  it('an expiry slice looks at no more sessions than its budget, and a lap ends them all', () => {
    const table = new SessionTable();
    const batch = new Batch();
    for (let i = 0; i < 2_500; i++)
      table.start(
        batch,
        {
          statecode: `s${i}`,
          cardId: `c${i}`,
          appId: 'a',
          imei: '',
          expiresAt: i % 2 ? 10 : 1_000,
          createdAt: 0,
        },
        5,
      );
    const first = table.removeExpired(batch, 100, 1_000);
    expect(first.visited).toBe(1_000);
    expect(first.removed).toBe(500);
    let removed = first.removed;
    for (let turn = 0; turn < 3; turn++) removed += table.removeExpired(batch, 100, 1_000).removed;
    expect(removed).toBe(1_250);
    expect(table.size).toBe(1_250);
  });

  it('sweepExpired ends every expired session; a restart loads only live ones', {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kami-sessions-'));
    try {
      const first = await embeddedStore(join(dir, 'db'));
      for (let i = 0; i < 30; i++) {
        const card = await first.service.mintCard({ app: first.app, card: { kind: 'permanent' } });
        await first.service.login({ app: first.app, kami: card.cardStr, imei: 'D', ip: '' });
      }
      first.clock.advance({ seconds: 61 }); // the first 30 expire
      const live = await first.service.mintCard({ app: first.app, card: { kind: 'permanent' } });
      await first.service.login({ app: first.app, kami: live.cardStr, imei: 'D', ip: '' });
      expect(first.storage.stats().sessions).toBe(31);
      await first.service.close();

      // Reopened later: the 30 expired ones stay on disk but never come into memory.
      const again = await embeddedStore(join(dir, 'db'), first.clock);
      expect(again.storage.stats().sessions).toBe(1);
      // Long after: the sweep ends the one in memory and deletes the rows that never came back.
      again.clock.advance({ seconds: 300 });
      expect((await again.service.sweepExpired()).sessions).toBeGreaterThanOrEqual(31);
      expect(again.storage.stats().sessions).toBe(0);
      const rows = await again.service.db.query<{ n: unknown }>('SELECT count(*) AS n FROM sessions');
      expect(Number(rows.rows[0]?.n)).toBe(0);
      await again.service.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
