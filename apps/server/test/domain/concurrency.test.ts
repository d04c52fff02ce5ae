import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKamiService, type KamiServiceHandle } from '../../src/domain/index';
import type { AppRecord } from '../../src/domain/types';
import { ADMIN_URL, createTestDatabase, describeEngines, newClock, PG_SKIP_NOTE } from './harness';

type Login = KamiServiceHandle['login'];

async function raceFirstBinding(login: Login[], app: AppRecord, cardStr: string) {
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      (login[i % login.length] as Login)({ app, kami: cardStr, imei: `DEV-${i}`, ip: '' }),
    ),
  );
  const winners = results.flatMap((r) => (r.ok ? [r.body.imei] : []));
  const errors = new Set(results.flatMap((r) => (r.ok ? [] : [r.error])));
  return { winners, errors };
}

async function raceCountCard(login: Login[], app: AppRecord, cardStr: string, attempts: number) {
  const results = await Promise.all(
    Array.from({ length: attempts }, (_, i) =>
      (login[i % login.length] as Login)({ app, kami: cardStr, imei: 'SAME', ip: '' }),
    ),
  );
  const ok = results.flatMap((r) => (r.ok ? [r.body.available] : []));
  const errors = new Set(results.flatMap((r) => (r.ok ? [] : [r.error])));
  return { ok, errors };
}

describeEngines('concurrency', (engine) => {
  it('100 parallel first logins with distinct machine codes bind exactly one', async () => {
    const { service, app } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
    const { winners, errors } = await raceFirstBinding([service.login], app, card.cardStr);
    expect(winners).toHaveLength(1);
    expect([...errors]).toEqual(['DEVICE_MISMATCH']);
    expect((await service.getCard({ app, cardStr: card.cardStr }))?.imei).toBe(winners[0]);
  });

  it('a count card with N uses succeeds exactly N times under 4N parallel logins', async () => {
    const { service, app } = await engine.start();
    const N = 25;
    const card = await service.mintCard({ app, card: { kind: 'count', uses: N } });
    const { ok, errors } = await raceCountCard([service.login], app, card.cardStr, 4 * N);
    expect(ok).toHaveLength(N);
    // Every success saw a distinct remaining count: N−1 … 0.
    expect([...ok].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect([...errors]).toEqual(['CARD_USES_EXHAUSTED']);
    expect((await service.getCard({ app, cardStr: card.cardStr }))?.usesLeft).toBe(0);
  });
});

describe.skipIf(!ADMIN_URL)(`concurrency across two service instances [postgres]${PG_SKIP_NOTE}`, () => {
  it('two pools racing on one database: one binding, exactly N uses', async () => {
    const db = await createTestDatabase(ADMIN_URL as string);
    const services: KamiServiceHandle[] = [];
    try {
      const clock = newClock();
      const opts = {
        db: { kind: 'postgres' as const, url: db.url },
        clock,
        apps: [{ name: `race-${randomBytes(4).toString('hex')}` }],
      };
      services.push(await createKamiService(opts), await createKamiService(opts));
      const [a, b] = services as [KamiServiceHandle, KamiServiceHandle];
      const app = a.listApps()[0] as AppRecord;
      expect(b.listApps()[0]).toEqual(app);

      const timeCard = await a.mintCard({ app, card: { kind: 'time', type: 0 } });
      const binding = await raceFirstBinding([a.login, b.login], app, timeCard.cardStr);
      expect(binding.winners).toHaveLength(1);
      expect((await b.getCard({ app, cardStr: timeCard.cardStr }))?.imei).toBe(binding.winners[0]);

      const N = 30;
      const countCard = await b.mintCard({ app, card: { kind: 'count', uses: N } });
      const counted = await raceCountCard([a.login, b.login], app, countCard.cardStr, 4 * N);
      expect(counted.ok).toHaveLength(N);
      expect([...counted.errors]).toEqual(['CARD_USES_EXHAUSTED']);
      expect((await a.getCard({ app, cardStr: countCard.cardStr }))?.usesLeft).toBe(0);

      // Unbind racing login across instances: the card ends up consistent (change counted once per unbind).
      const unbinds = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).unbind({ app, kami: timeCard.cardStr, imei: '' }),
        ),
      );
      expect(unbinds.filter((r) => r.ok)).toHaveLength(1);
      expect((await a.getCard({ app, cardStr: timeCard.cardStr }))?.change).toBe(1);

      // Each instance takes its own snowflake worker id from the database, so ids minted in
      // the same millisecond on both can never collide.
      const workerOf = (id: string) => Number((BigInt(id) >> 12n) & 1023n);
      const [ca, cb] = [
        await a.mintCard({ app, card: { kind: 'permanent' } }),
        await b.mintCard({ app, card: { kind: 'permanent' } }),
      ];
      // a started first, so b took the next value of the sequence (random ids would fail this).
      expect((workerOf(cb.id) - workerOf(ca.id) + 1024) % 1024).toBe(1);
    } finally {
      await Promise.all(services.map((s) => s.close()));
      await db.drop();
    }
  });
});
