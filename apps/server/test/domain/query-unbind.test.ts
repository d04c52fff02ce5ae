import { formatBeijingDateTime, PERMANENT_END_TIME } from '@kami-verify/core';
import { expect, it, vi } from 'vitest';
import { describeEngines } from './harness';

const DAY = 86_400;

describeEngines('query', (engine) => {
  it('reports 未使用 → 已使用 → 已到期 for a time card', async () => {
    const { service, app, clock } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'time', type: 1 } });
    expect(await service.query({ app, kami: card.cardStr })).toEqual({
      ok: true,
      body: {
        id: card.id,
        state: '未使用',
        use: 0,
        use_time: '',
        end_time: '',
        amount: '7天',
        available: 7 * DAY,
        line: 0,
        line_time: '',
      },
    });
    const login = await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
    expect(login.ok).toBe(true);
    const t0 = Math.floor(clock.now() / 1000);
    clock.advance({ seconds: DAY });
    expect(await service.query({ app, kami: card.cardStr })).toEqual({
      ok: true,
      body: {
        id: card.id,
        state: '已使用',
        use: 1,
        use_time: formatBeijingDateTime(t0),
        end_time: formatBeijingDateTime(t0 + 7 * DAY),
        amount: '7天',
        available: 6 * DAY,
        // The session (600 s) ended a day ago: nobody online.
        line: 0,
        line_time: '',
      },
    });
    clock.advance({ seconds: 6 * DAY });
    const expired = await service.query({ app, kami: card.cardStr });
    expect(expired.ok && expired.body.state).toBe('已到期');
    expect(expired.ok && expired.body.available).toBe(0);
  });

  it('line / line_time: the sessions online now and when one was last seen; none after unbind', async () => {
    const { service, app, clock } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const seen = async () => {
      const q = await service.query({ app, kami: card.cardStr });
      return q.ok ? [q.body.line, q.body.line_time] : q;
    };
    const first = await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
    const t0 = Math.floor(clock.now() / 1000);
    expect(await seen()).toEqual([1, formatBeijingDateTime(t0)]);
    clock.advance({ seconds: 60 });
    await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
    expect(await seen()).toEqual([2, formatBeijingDateTime(t0 + 60)]);
    clock.advance({ seconds: 30 });
    if (!first.ok) throw new Error(first.error);
    expect((await service.heartbeat({ app, statecode: first.body.statecode })).ok).toBe(true);
    // PostgreSQL writes renewals behind (RENEWAL_FLUSH_MS): the heartbeat shows within a flush.
    await vi.waitFor(async () => expect(await seen()).toEqual([2, formatBeijingDateTime(t0 + 90)]), {
      timeout: 5_000,
      interval: 50,
    });
    expect((await service.unbind({ app, kami: card.cardStr, imei: 'D' })).ok).toBe(true);
    expect(await seen()).toEqual([0, '']);
  });

  it('reports 已禁用, count and permanent cards, and 卡密不存在', async () => {
    const { service, app } = await engine.start();
    const perm = await service.mintCard({ app, card: { kind: 'permanent' } });
    await service.setCardDisabled({ app, cardStr: perm.cardStr, disabled: true });
    const q = await service.query({ app, kami: perm.cardStr });
    expect(q.ok && q.body.state).toBe('已禁用');
    expect(q.ok && q.body.end_time).toBe(PERMANENT_END_TIME);
    expect(q.ok && q.body.amount).toBe('永久卡');

    const count = await service.mintCard({ app, card: { kind: 'count', uses: 2 } });
    await service.login({ app, kami: count.cardStr, imei: 'D', ip: '' });
    const c1 = await service.query({ app, kami: count.cardStr });
    expect(c1.ok && [c1.body.state, c1.body.amount, c1.body.available]).toEqual(['已使用', '2次', 1]);
    await service.login({ app, kami: count.cardStr, imei: 'D', ip: '' });
    const c2 = await service.query({ app, kami: count.cardStr });
    expect(c2.ok && [c2.body.state, c2.body.available]).toEqual(['已到期', 0]);

    expect(await service.query({ app, kami: 'NOPE' })).toEqual({ ok: false, error: 'CARD_NOT_FOUND' });
    await service.deleteCard({ app, cardStr: count.cardStr });
    expect(await service.query({ app, kami: count.cardStr })).toEqual({ ok: false, error: 'CARD_NOT_FOUND' });
  });
});

describeEngines('unbind', (engine) => {
  it('clears device and IP, counts change, ends sessions, lets a new device bind', async () => {
    const { service, app } = await engine.start({ app: { settings: { ipBinding: 'exact' } } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const login = await service.login({ app, kami: card.cardStr, imei: 'DEV-A', ip: '1.1.1.1' });
    if (!login.ok) throw new Error(login.error);
    expect(await service.unbind({ app, kami: card.cardStr, imei: 'DEV-A' })).toEqual({ ok: true, change: 1 });
    const after = await service.getCard({ app, cardStr: card.cardStr });
    expect([after?.imei, after?.boundIp, after?.change]).toEqual([null, null, 1]);
    expect(await service.heartbeat({ app, statecode: login.body.statecode })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });
    const moved = await service.login({ app, kami: card.cardStr, imei: 'DEV-B', ip: '2.2.2.2' });
    expect(moved.ok && [moved.body.imei, moved.body.change]).toEqual(['DEV-B', 1]);
  });

  it('卡密未绑定设备, 请在原设备登录, card errors', async () => {
    const { service, app } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect(await service.unbind({ app, kami: card.cardStr, imei: '' })).toEqual({
      ok: false,
      error: 'CARD_NOT_BOUND',
    });
    await service.login({ app, kami: card.cardStr, imei: 'DEV-A', ip: '' });
    expect(await service.unbind({ app, kami: card.cardStr, imei: 'DEV-B' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
    expect(await service.unbind({ app, kami: 'NOPE', imei: 'DEV-A' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    await service.setCardDisabled({ app, cardStr: card.cardStr, disabled: true });
    expect(await service.unbind({ app, kami: card.cardStr, imei: 'DEV-A' })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });
    await service.setCardDisabled({ app, cardStr: card.cardStr, disabled: false });
    // An empty imei means "whatever is bound".
    expect(await service.unbind({ app, kami: card.cardStr, imei: '' })).toEqual({ ok: true, change: 1 });
  });

  it('unbindEndsSessions: false keeps the sessions running', async () => {
    const { service, app } = await engine.start({ app: { settings: { unbindEndsSessions: false } } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const login = await service.login({ app, kami: card.cardStr, imei: 'DEV-A', ip: '' });
    if (!login.ok) throw new Error(login.error);
    expect(await service.unbind({ app, kami: card.cardStr, imei: 'DEV-A' })).toEqual({ ok: true, change: 1 });
    expect((await service.heartbeat({ app, statecode: login.body.statecode })).ok).toBe(true);
  });

  it('解绑次数已达上限 after unbindLimit unbinds', async () => {
    const { service, app } = await engine.start({ app: { settings: { unbindLimit: 2 } } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    for (const [i, dev] of ['A', 'B'].entries()) {
      expect((await service.login({ app, kami: card.cardStr, imei: dev, ip: '' })).ok).toBe(true);
      expect(await service.unbind({ app, kami: card.cardStr, imei: dev })).toEqual({
        ok: true,
        change: i + 1,
      });
    }
    expect((await service.login({ app, kami: card.cardStr, imei: 'C', ip: '' })).ok).toBe(true);
    expect(await service.unbind({ app, kami: card.cardStr, imei: 'C' })).toEqual({
      ok: false,
      error: 'UNBIND_LIMIT_REACHED',
    });
    expect((await service.getCard({ app, cardStr: card.cardStr }))?.imei).toBe('C');
  });

  it('parallel unbinds never exceed the limit', async () => {
    const { service, app } = await engine.start({ app: { settings: { unbindLimit: 1 } } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    await service.login({ app, kami: card.cardStr, imei: 'A', ip: '' });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => service.unbind({ app, kami: card.cardStr, imei: 'A' })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await service.getCard({ app, cardStr: card.cardStr }))?.change).toBe(1);
  });
});
