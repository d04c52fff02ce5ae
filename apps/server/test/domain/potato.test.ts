import { expect, it } from 'vitest';
import { SNOWFLAKE_EPOCH_MS } from '../../src/domain/index';
import { describeEngines } from './harness';

describeEngines('potatocloud', (engine) => {
  const users = [{ userNumber: 'reseller', passWord: 's3cret' }];

  it('logs a configured user in and resolves the token until it expires', async () => {
    const { service, app, clock } = await engine.start({
      app: { potatoUsers: users },
      userTokenTtlSeconds: 100,
    });
    const login = await service.potatoLogin({ app, userNumber: 'reseller', passWord: 's3cret' });
    if (!login.ok) throw new Error('login failed');
    expect(login.apiUserToken).toMatch(/^[0-9a-f]{64}$/);
    expect(login.expiresAt).toBe(clock.now() + 100_000);
    const userId = await service.resolveUserToken({ app, token: login.apiUserToken });
    expect(userId).toMatch(/^\d+$/);
    clock.advance({ seconds: 99 });
    expect(await service.resolveUserToken({ app, token: login.apiUserToken })).toBe(userId);
    clock.advance({ seconds: 1 });
    expect(await service.resolveUserToken({ app, token: login.apiUserToken })).toBeUndefined();
    expect(await service.resolveUserToken({ app, token: 'nope' })).toBeUndefined();
    expect(await service.resolveUserToken({ app, token: '' })).toBeUndefined();
  });

  it("refuses wrong passwords, unknown users and another app's token", async () => {
    const { service, app } = await engine.start({ app: { potatoUsers: users } });
    expect(await service.potatoLogin({ app, userNumber: 'reseller', passWord: 'wrong' })).toEqual({
      ok: false,
    });
    expect(await service.potatoLogin({ app, userNumber: 'nobody', passWord: 's3cret' })).toEqual({
      ok: false,
    });
    const login = await service.potatoLogin({ app, userNumber: 'reseller', passWord: 's3cret' });
    if (!login.ok) throw new Error('login failed');
    const other = await engine.start();
    expect(
      await other.service.resolveUserToken({ app: other.app, token: login.apiUserToken }),
    ).toBeUndefined();
  });

  it('stores passwords hashed with scrypt, and a changed configured password takes effect on restart', async () => {
    const name = `potato-${Math.random().toString(16).slice(2)}`;
    const first = await engine.start({ app: { name, potatoUsers: users } });
    const stored = await first.service.db.query<{ pass_hash: string }>(
      'SELECT pass_hash FROM potato_users WHERE app_id = $1',
      [first.app.id],
    );
    expect(stored.rows[0]?.pass_hash).toMatch(/^scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(stored.rows[0]?.pass_hash).not.toContain('s3cret');
    if (engine.name !== 'postgres') return; // memory databases do not survive a restart
    await first.service.close();
    const second = await engine.start({
      app: { name, potatoUsers: [{ userNumber: 'reseller', passWord: 'new' }] },
    });
    expect(
      (await second.service.potatoLogin({ app: second.app, userNumber: 'reseller', passWord: 'new' })).ok,
    ).toBe(true);
    expect(
      (await second.service.potatoLogin({ app: second.app, userNumber: 'reseller', passWord: 's3cret' })).ok,
    ).toBe(false);
  });

  it('createCards returns cards shaped like the seed', async () => {
    const { service, app, clock } = await engine.start();
    const cards = await service.createCards({ app, type: 1, total: 10, ip: '127.0.0.1' });
    expect(cards).toHaveLength(10);
    for (const card of cards) {
      expect(Object.keys(card)).toEqual([
        'id',
        'createdDate',
        'modifiedDate',
        'status',
        'ip',
        'appId',
        'cardStr',
        'exportState',
        'state',
        'type',
      ]);
      expect(card).toMatchObject({
        createdDate: clock.now(),
        modifiedDate: clock.now(),
        status: 1,
        ip: '127.0.0.1',
        appId: app.id,
        exportState: 1,
        state: 1,
        type: 1,
      });
      expect(card.id).toMatch(/^\d{18,19}$/);
      // Our snowflake decodes to its creation time like the seed's ids do.
      expect(Number(BigInt(card.id) >> 22n) + SNOWFLAKE_EPOCH_MS).toBe(clock.now());
      expect(card.cardStr).toMatch(/^[0-9A-F]{32}$/);
    }
    expect(new Set(cards.map((c) => c.cardStr)).size).toBe(10);
    const ids = cards.map((c) => BigInt(c.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    // A permanent type-5 card logs in as 永久卡; a type-0 card as 1天.
    const [perm] = await service.createCards({ app, type: 5, total: 1, ip: '' });
    const res = await service.login({ app, kami: perm?.cardStr ?? '', imei: 'D', ip: '' });
    expect(res.ok && res.body.amount).toBe('永久卡');
    await expect(service.createCards({ app, type: 6, total: 1, ip: '' })).rejects.toThrow(RangeError);
  });

  it('listCards pages newest first and filters by cardStr, type and state', async () => {
    const { service, app, clock } = await engine.start();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [card] = await service.createCards({ app, type: i % 2, total: 1, ip: '' });
      created.push(card?.cardStr ?? '');
      clock.advance(1000);
    }
    const page1 = await service.listCards({ app, page: 1, size: 2 });
    expect(page1.total).toBe(5);
    expect(page1.list.map((c) => c.cardStr)).toEqual([created[4], created[3]]);
    const page3 = await service.listCards({ app, page: 3, size: 2 });
    expect(page3.list.map((c) => c.cardStr)).toEqual([created[0]]);
    expect((await service.listCards({ app, page: 4, size: 2 })).list).toEqual([]);

    const type1 = await service.listCards({ app, page: 1, size: 10, type: 1 });
    expect(type1.total).toBe(2);
    expect(type1.list.every((c) => c.type === 1)).toBe(true);
    const one = await service.listCards({ app, page: 1, size: 10, cardStr: created[2] });
    expect(one.list.map((c) => c.cardStr)).toEqual([created[2]]);

    // state: 1 unused, 2 activated, 0 disabled, 3 expired; deleted cards are not listed.
    await service.login({ app, kami: created[0] ?? '', imei: 'D', ip: '' });
    await service.setCardDisabled({ app, cardStr: created[1] ?? '', disabled: true });
    await service.deleteCard({ app, cardStr: created[4] ?? '' });
    expect(
      (await service.listCards({ app, page: 1, size: 10, state: 2 })).list.map((c) => c.cardStr),
    ).toEqual([created[0]]);
    expect(
      (await service.listCards({ app, page: 1, size: 10, state: 0 })).list.map((c) => c.cardStr),
    ).toEqual([created[1]]);
    expect((await service.listCards({ app, page: 1, size: 10, state: 1 })).total).toBe(2);
    expect((await service.listCards({ app, page: 1, size: 10 })).total).toBe(4);
    clock.advance({ seconds: 2 * 86_400 }); // created[0] is a day card
    expect(
      (await service.listCards({ app, page: 1, size: 10, state: 3 })).list.map((c) => c.cardStr),
    ).toEqual([created[0]]);
  });
});
