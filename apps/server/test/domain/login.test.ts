import { createHash } from 'node:crypto';
import {
  computeLoginToken,
  computeStatecode,
  formatBeijingDateTime,
  formatBeijingMinute,
  PERMANENT_END_TIME,
  parseBeijingDateTime,
} from '@kami-verify/core';
import { describe, expect, it } from 'vitest';
import { tokenSignText } from '../../src/domain/rules/index';
import type { AppRecord, LoginBody } from '../../src/domain/types';
import { describeEngines } from './harness';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const DAY = 86_400;

function okBody(res: { ok: true; body: LoginBody } | { ok: false; error: string }): LoginBody {
  if (!res.ok) throw new Error(`expected success, got ${res.error}`);
  return res.body;
}

describeEngines('login', (engine) => {
  it('activates a time card at first login and returns the seed fields with core-computed token/statecode', async () => {
    const { service, app, clock } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'time', type: 2 }, core: '48656c6c6f' });
    expect(card.activatedAt).toBeNull();
    clock.advance({ seconds: 3600 }); // activation is at first login, not at minting
    const now = Math.floor(clock.now() / 1000);
    const body = okBody(await service.login({ app, kami: card.cardStr, imei: 'DEVICE_001', ip: '1.2.3.4' }));
    expect(Object.keys(body)).toEqual([
      'id',
      'end_time',
      'amount',
      'available',
      'token',
      'statecode',
      'time',
      'date',
      'imei',
      'change',
      'core',
    ]);
    expect(body.end_time).toBe(formatBeijingDateTime(now + 30 * DAY));
    expect(body.amount).toBe('30天');
    expect(body.available).toBe(30 * DAY);
    expect(body.time).toBe(now);
    expect(body.date).toBe(formatBeijingMinute(now));
    expect(body.imei).toBe('DEVICE_001');
    expect(body.change).toBe(0);
    expect(body.core).toBe('48656c6c6f');
    // Snowflake ids exceed 2^53, so the wire id is the decimal string.
    expect(body.id).toBe(card.id);
    const token = computeLoginToken(md5, {
      id: card.id,
      appKey: app.appKey,
      endTime: body.end_time,
      date: body.date,
    });
    expect(body.token).toBe(token);
    expect(body.statecode).toBe(computeStatecode(md5, token, now));

    const stored = await service.getCard({ app, cardStr: card.cardStr });
    expect(stored?.activatedAt).toBe(now);
    expect(stored?.expiresAt).toBe(now + 30 * DAY);
    expect(stored?.imei).toBe('DEVICE_001');

    // A later login counts down from the first one.
    clock.advance({ seconds: DAY });
    const again = okBody(await service.login({ app, kami: card.cardStr, imei: 'DEVICE_001', ip: '1.2.3.4' }));
    expect(again.end_time).toBe(body.end_time);
    expect(again.available).toBe(29 * DAY);
  });

  it('hashes the verified sign text into the token as loginToken says (auto: whenever it was checked)', async () => {
    const signText = 'kami=X&imei=Y&t=1&APPKEY';
    for (const loginToken of ['auto', 'basic'] as const) {
      const { service, app } = await engine.start({ app: { settings: { loginToken } } });
      const card = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
      const body = okBody(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '', signText }));
      const input = { id: body.id, appKey: app.appKey, endTime: body.end_time, date: body.date };
      expect(body.token).toBe(computeLoginToken(md5, loginToken === 'auto' ? { ...input, signText } : input));
    }
  });

  it.each([
    // loginToken, signatureCheck, the signed formula?
    ['auto', 'on', true],
    ['auto', 'two-way', true],
    ['basic', 'on', false],
    ['basic', 'two-way', false],
    ['signed', 'on', false],
    ['signed', 'two-way', true],
  ] as const)(
    'tokenSignText: loginToken %s, signatureCheck %s → signed %s',
    (loginToken, signatureCheck, signed) => {
      const app = { settings: { loginToken, signatureCheck } } as unknown as AppRecord;
      expect(tokenSignText(app, 'S')).toBe(signed ? 'S' : undefined);
      // No signature checked (signatureCheck off): nothing to hash, whatever the setting.
      expect(tokenSignText(app, undefined)).toBeUndefined();
    },
  );

  it('expires a time card via the clock: 卡密已到期', async () => {
    const { service, app, clock } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
    okBody(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' }));
    clock.advance({ seconds: DAY - 1 });
    expect(okBody(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).available).toBe(1);
    clock.advance({ seconds: 1 });
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_EXPIRED',
    });
  });

  it('permanent card: PERMANENT_END_TIME, 永久卡, seconds until then', async () => {
    const { service, app, clock } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    const body = okBody(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' }));
    expect(body.end_time).toBe(PERMANENT_END_TIME);
    expect(body.amount).toBe('永久卡');
    expect(body.available).toBe(
      (parseBeijingDateTime(PERMANENT_END_TIME) as number) - Math.floor(clock.now() / 1000),
    );
    clock.advance({ seconds: 10 * 365 * DAY });
    expect((await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).ok).toBe(true);
  });

  it('count card: consumes one use per login, available = uses left after it, then 卡密使用次数已达上限', async () => {
    const { service, app } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'count', uses: 3 } });
    expect(card.type).toBeNull();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const body = okBody(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' }));
      expect(body.amount).toBe('3次');
      seen.push(body.available);
    }
    expect(seen).toEqual([2, 1, 0]);
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_USES_EXHAUSTED',
    });
    expect((await service.getCard({ app, cardStr: card.cardStr }))?.usesLeft).toBe(0);
  });

  it('卡密不存在 for unknown, deleted and other-app cards', async () => {
    const { service, app } = await engine.start({
      apps: [{ name: `a-${Math.random()}` }, { name: `b-${Math.random()}` }],
    });
    const other = service.listApps()[1];
    if (!other) throw new Error('second app missing');
    expect(await service.login({ app, kami: 'NOPE', imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect(await service.login({ app: other, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    expect(await service.deleteCard({ app, cardStr: card.cardStr })).toBe(true);
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    // Soft delete: the row is kept with status 0.
    expect((await service.getCard({ app, cardStr: card.cardStr }))?.status).toBe(0);
    expect(await service.deleteCard({ app, cardStr: card.cardStr })).toBe(false);
  });

  it('卡密被禁用 while disabled, fine again after re-enabling', async () => {
    const { service, app } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect(await service.setCardDisabled({ app, cardStr: card.cardStr, disabled: true })).toBe(true);
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });
    expect(await service.setCardDisabled({ app, cardStr: card.cardStr, disabled: false })).toBe(true);
    expect((await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).ok).toBe(true);
    expect(await service.setCardDisabled({ app, cardStr: 'NOPE', disabled: true })).toBe(false);
  });

  it('卡密禁止登录 when forbidEmptyDevice and the card has no device; a preloaded device may log in', async () => {
    const { service, app } = await engine.start({
      app: {
        settings: { forbidEmptyDevice: true },
        cards: [{ cardStr: 'PRELOADED-BOUND', card: { kind: 'permanent' }, imei: 'DEV-A' }],
      },
    });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_LOGIN_FORBIDDEN',
    });
    expect((await service.login({ app, kami: 'PRELOADED-BOUND', imei: 'DEV-A', ip: '' })).ok).toBe(true);
    expect(await service.login({ app, kami: 'PRELOADED-BOUND', imei: 'DEV-B', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
  });

  it('binds the first machine code: 请在原设备登录 elsewhere; no binding when machineCodeCheck is off', async () => {
    const { service, app } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect((await service.login({ app, kami: card.cardStr, imei: 'DEV-A', ip: '' })).ok).toBe(true);
    expect(await service.login({ app, kami: card.cardStr, imei: 'DEV-B', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
    expect((await service.login({ app, kami: card.cardStr, imei: 'DEV-A', ip: '' })).ok).toBe(true);

    const off = await engine.start({ app: { settings: { machineCodeCheck: false } } });
    const free = await off.service.mintCard({ app: off.app, card: { kind: 'permanent' } });
    const a = okBody(await off.service.login({ app: off.app, kami: free.cardStr, imei: 'DEV-A', ip: '' }));
    const b = okBody(await off.service.login({ app: off.app, kami: free.cardStr, imei: 'DEV-B', ip: '' }));
    expect([a.imei, b.imei]).toEqual(['DEV-A', 'DEV-B']);
    expect((await off.service.getCard({ app: off.app, cardStr: free.cardStr }))?.imei).toBeNull();
  });

  it('binds the first IP in exact mode: 请在原IP登录; ignores IPs when off', async () => {
    const { service, app } = await engine.start({ app: { settings: { ipBinding: 'exact' } } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect((await service.login({ app, kami: card.cardStr, imei: 'D', ip: '10.0.0.1' })).ok).toBe(true);
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '10.0.0.2' })).toEqual({
      ok: false,
      error: 'IP_MISMATCH',
    });
    expect((await service.getCard({ app, cardStr: card.cardStr }))?.boundIp).toBe('10.0.0.1');

    const off = await engine.start();
    const free = await off.service.mintCard({ app: off.app, card: { kind: 'permanent' } });
    expect(
      (await off.service.login({ app: off.app, kami: free.cardStr, imei: 'D', ip: '10.0.0.1' })).ok,
    ).toBe(true);
    expect(
      (await off.service.login({ app: off.app, kami: free.cardStr, imei: 'D', ip: '10.0.0.2' })).ok,
    ).toBe(true);
  });

  it('checks the device before expiry, and expiry before uses', async () => {
    const { service, app, clock } = await engine.start();
    const card = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
    expect((await service.login({ app, kami: card.cardStr, imei: 'DEV-A', ip: '' })).ok).toBe(true);
    clock.advance({ seconds: 2 * DAY });
    expect((await service.login({ app, kami: card.cardStr, imei: 'DEV-B', ip: '' })).ok).toBe(false);
    expect(await service.login({ app, kami: card.cardStr, imei: 'DEV-B', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
    expect(await service.login({ app, kami: card.cardStr, imei: 'DEV-A', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_EXPIRED',
    });
  });

  it('falls back to the app core when the card has none', async () => {
    const { service, app } = await engine.start({ app: { settings: { core: 'abcdef' } } });
    const card = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect(okBody(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).core).toBe('abcdef');
  });
});

describe('wire id', () => {
  it('is a number only for safe integers', async () => {
    const { wireId } = await import('../../src/domain/index');
    expect(wireId('1')).toBe(1);
    expect(wireId('783556860021596160')).toBe('783556860021596160');
    expect(wireId('007')).toBe('007');
  });
});
