import { expect, it } from 'vitest';
import { describeEngines } from './harness';

describeEngines('bulkCreateCards', (engine) => {
  it('creates 100 000 unique, unused cards', async () => {
    const { service, app } = await engine.start();
    const started = performance.now();
    const inserted = await service.bulkCreateCards({ app, type: 2, count: 100_000, ip: '10.0.0.1' });
    const seconds = (performance.now() - started) / 1000;
    // Reported, not asserted: timing depends on the machine.
    console.info(
      `[${engine.name}] bulkCreateCards: 100000 cards in ${seconds.toFixed(2)} s = ${Math.round(100_000 / seconds)} cards/s`,
    );
    expect(inserted).toBe(100_000);
    const stats = await service.db.query<{ n: unknown; strs: unknown; ids: unknown; bad: unknown }>(
      `SELECT count(*) AS n, count(DISTINCT card_str) AS strs, count(DISTINCT id) AS ids,
              count(*) FILTER (WHERE card_str !~ '^[0-9A-F]{32}$' OR type <> 2 OR kind <> 'time' OR activated_at IS NOT NULL
                               OR created_ip <> '10.0.0.1' OR duration_seconds <> 30 * 86400) AS bad
       FROM cards WHERE app_id = $1`,
      [app.id],
    );
    const row = stats.rows[0];
    expect([Number(row?.n), Number(row?.strs), Number(row?.ids), Number(row?.bad)]).toEqual([
      100_000, 100_000, 100_000, 0,
    ]);
    expect((await service.listCards({ app, page: 1, size: 1 })).total).toBe(100_000);

    // A bulk card is an ordinary card.
    const pick = await service.db.query<{ card_str: string }>(
      'SELECT card_str FROM cards WHERE app_id = $1 LIMIT 1',
      [app.id],
    );
    const login = await service.login({ app, kami: pick.rows[0]?.card_str ?? '', imei: 'D', ip: '' });
    expect(login.ok && login.body.amount).toBe('30天');
  }, 120_000);

  it('handles zero and non-multiples of the batch size', async () => {
    const { service, app } = await engine.start();
    expect(await service.bulkCreateCards({ app, type: 5, count: 0 })).toBe(0);
    expect(await service.bulkCreateCards({ app, type: 5, count: 20_001 })).toBe(20_001);
    await expect(service.bulkCreateCards({ app, type: 9, count: 1 })).rejects.toThrow(RangeError);
  });
});
