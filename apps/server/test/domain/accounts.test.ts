// The account family (账号模式) on both engines: register, login rules, recharge (and its race),
// heartbeat, password change, cancel.
import { computeLoginToken } from '@kami-verify/core';
import { describe, expect, it } from 'vitest';
import type { KamiServiceHandle } from '../../src/domain/index';
import { decideRecharge } from '../../src/domain/rules/account';
import type { AppRecord } from '../../src/domain/types';
import { md5 } from '../../src/md5';
import { describeEngines } from './harness';

async function registered(service: KamiServiceHandle, app: AppRecord, user = 'alice', pass = 'secret-1') {
  expect(await service.registerUser({ app, user, pass, email: '', ip: '' })).toEqual({ ok: true });
  return { user, pass };
}

describeEngines('accounts', (engine) => {
  it('registers once per name; the hash is scrypt, never the password', async () => {
    const { service, app } = await engine.start();
    await registered(service, app);
    expect(await service.registerUser({ app, user: 'alice', pass: 'other-pw', email: '', ip: '' })).toEqual({
      ok: false,
      error: 'USER_EXISTS',
    });
    const stored = await service.getUser({ app, user: 'alice' });
    expect(stored?.passHash).toMatch(/^scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(stored?.passHash).not.toContain('secret-1');
  });

  it('login: wrong password and unknown account answer alike; 账号未充值 before any recharge', async () => {
    const { service, app } = await engine.start();
    await registered(service, app);
    const login = (user: string, pass: string) => service.userLogin({ app, user, pass, imei: 'DEV', ip: '' });
    expect(await login('alice', 'wrong-pw')).toEqual({ ok: false, error: 'USER_LOGIN_FAILED' });
    expect(await login('nobody', 'secret-1')).toEqual({ ok: false, error: 'USER_LOGIN_FAILED' });
    expect(await login('alice', 'secret-1')).toEqual({ ok: false, error: 'USER_NOT_RECHARGED' });
  });

  it('the account token hashes the verified sign text like a card login (loginToken auto; basic opts out)', async () => {
    const signText = 'user=alice&pass=secret-1&imei=D&t=1&APPKEY';
    for (const loginToken of ['auto', 'basic'] as const) {
      const { service, app } = await engine.start({ app: { settings: { loginToken } } });
      await registered(service, app);
      const card = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
      await service.recharge({ app, user: 'alice', card: card.cardStr });
      const r = await service.userLogin({
        app,
        user: 'alice',
        pass: 'secret-1',
        imei: 'D',
        ip: '',
        signText,
      });
      if (!r.ok) throw new Error(r.error);
      const b = r.body;
      const input = { id: b.id, appKey: app.appKey, endTime: b.end_time, date: b.date };
      expect(b.token).toBe(computeLoginToken(md5, loginToken === 'auto' ? { ...input, signText } : input));
    }
  });

  it('recharge adds a time card, the login token is a card login token, the device binds', async () => {
    const { service, app, clock } = await engine.start();
    await registered(service, app);
    const card = await service.mintCard({ app, card: { kind: 'time', type: 0 } }); // 天卡
    expect(await service.recharge({ app, user: 'alice', card: card.cardStr })).toEqual({ ok: true });
    const r = await service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'DEV-A', ip: '' });
    if (!r.ok) throw new Error(r.error);
    const b = r.body;
    expect(b.available).toBe(86_400);
    expect(b.recharge).toBe(1);
    expect(b.imei).toBe('DEV-A');
    expect(b.token).toBe(
      computeLoginToken(md5, { id: b.id, appKey: app.appKey, endTime: b.end_time, date: b.date }),
    );
    expect(await service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'DEV-B', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
    // A second day card extends from the end, not from now.
    const card2 = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
    clock.advance({ seconds: 3600 });
    expect(await service.recharge({ app, user: 'alice', card: card2.cardStr })).toEqual({ ok: true });
    const r2 = await service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'DEV-A', ip: '' });
    expect(r2.ok && r2.body.available).toBe(2 * 86_400 - 3600);
    clock.advance({ seconds: 2 * 86_400 });
    expect(await service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'DEV-A', ip: '' })).toEqual({
      ok: false,
      error: 'USER_EXPIRED',
    });
  });

  it('a recharged card is consumed: a second recharge and a card login both refuse it', async () => {
    const { service, app } = await engine.start();
    await registered(service, app);
    await registered(service, app, 'bob');
    const card = await service.mintCard({ app, card: { kind: 'count', uses: 2 } });
    expect(await service.recharge({ app, user: 'alice', card: card.cardStr })).toEqual({ ok: true });
    expect(await service.recharge({ app, user: 'bob', card: card.cardStr })).toEqual({
      ok: false,
      error: 'CARD_ALREADY_USED',
    });
    expect(await service.login({ app, kami: card.cardStr, imei: 'X', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    // Two count uses: two logins, then 账号使用次数已达上限.
    const login = () => service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'D', ip: '' });
    expect((await login()).ok).toBe(true);
    expect((await login()).ok).toBe(true);
    expect(await login()).toEqual({ ok: false, error: 'USER_USES_EXHAUSTED' });
  });

  it('recharge refusals: 卡密不存在, 卡密被禁用, 卡密已被使用 (a card already logged in with), 账号不存在', async () => {
    const { service, app } = await engine.start();
    await registered(service, app);
    expect(await service.recharge({ app, user: 'alice', card: 'NO-SUCH-CARD' })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });
    const disabled = await service.mintCard({ app, card: { kind: 'permanent' } });
    await service.setCardDisabled({ app, cardStr: disabled.cardStr, disabled: true });
    expect(await service.recharge({ app, user: 'alice', card: disabled.cardStr })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });
    const used = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect((await service.login({ app, kami: used.cardStr, imei: 'X', ip: '' })).ok).toBe(true);
    expect(await service.recharge({ app, user: 'alice', card: used.cardStr })).toEqual({
      ok: false,
      error: 'CARD_ALREADY_USED',
    });
    const fresh = await service.mintCard({ app, card: { kind: 'permanent' } });
    expect(await service.recharge({ app, user: 'ghost', card: fresh.cardStr })).toEqual({
      ok: false,
      error: 'USER_NOT_FOUND',
    });
    // The refused recharge left the card usable.
    expect(await service.recharge({ app, user: 'alice', card: fresh.cardStr })).toEqual({ ok: true });
  });

  it('50 parallel recharges of one card into 50 accounts: exactly one succeeds', async () => {
    const { service, app } = await engine.start();
    const users = Array.from({ length: 50 }, (_, i) => `racer${i}`);
    await Promise.all(
      users.map((u) => service.registerUser({ app, user: u, pass: 'secret-1', email: '', ip: '' })),
    );
    const card = await service.mintCard({ app, card: { kind: 'time', type: 3 } });
    const results = await Promise.all(
      users.map((user) => service.recharge({ app, user, card: card.cardStr })),
    );
    const winners = users.filter((_, i) => results[i]?.ok);
    expect(winners).toHaveLength(1);
    expect(new Set(results.flatMap((r) => (r.ok ? [] : [r.error])))).toEqual(new Set(['CARD_ALREADY_USED']));
    const accounts = await Promise.all(users.map((user) => service.getUser({ app, user })));
    expect(accounts.filter((a) => a?.recharges === 1).map((a) => a?.username)).toEqual(winners);
    const rows = await service.db.query<{ n: unknown }>(
      'SELECT count(*) AS n FROM user_recharges WHERE app_id = $1',
      [app.id],
    );
    expect(Number(rows.rows[0]?.n)).toBe(1);
  }, 180_000); // 50 scrypt hashes: slow on a loaded machine

  it('parallel logins of a count account use each use once', async () => {
    const { service, app } = await engine.start();
    await registered(service, app);
    const card = await service.mintCard({ app, card: { kind: 'count', uses: 5 } });
    await service.recharge({ app, user: 'alice', card: card.cardStr });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'D', ip: '' }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect((await service.getUser({ app, user: 'alice' }))?.usesLeft).toBe(0);
  });

  it('heartbeat renews the account session; another account or an expired one is 状态码不存在', async () => {
    const { service, app, clock } = await engine.start({
      app: { settings: { statecodeValiditySeconds: 60 } },
    });
    await registered(service, app);
    await registered(service, app, 'bob');
    await service.recharge({
      app,
      user: 'alice',
      card: (await service.mintCard({ app, card: { kind: 'permanent' } })).cardStr,
    });
    const r = await service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'D', ip: '' });
    if (!r.ok) throw new Error(r.error);
    expect(await service.onlineUsers({ app })).toBe(1);
    const beat = (user: string | null) => service.userHeartbeat({ app, user, statecode: r.body.statecode });
    expect((await beat('alice')).ok).toBe(true);
    expect(await beat('bob')).toEqual({ ok: false, error: 'STATECODE_NOT_FOUND' });
    expect((await beat(null)).ok).toBe(true);
    clock.advance({ seconds: 50 });
    expect((await beat('alice')).ok).toBe(true);
    clock.advance({ seconds: 50 });
    expect((await beat('alice')).ok).toBe(true); // renewed at 50 s
    await service.setUserDisabled({ app, user: 'alice', disabled: true });
    expect(await beat('alice')).toEqual({ ok: false, error: 'USER_DISABLED' });
    clock.advance({ seconds: 61 });
    expect(await beat('alice')).toEqual({ ok: false, error: 'STATECODE_NOT_FOUND' });
    expect(await service.onlineUsers({ app })).toBe(0);
  });

  it('change_password ends sessions and swaps the password; user_cancel deletes the account', async () => {
    const { service, app } = await engine.start();
    await registered(service, app);
    await service.recharge({
      app,
      user: 'alice',
      card: (await service.mintCard({ app, card: { kind: 'permanent' } })).cardStr,
    });
    const r = await service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'D', ip: '' });
    if (!r.ok) throw new Error(r.error);
    expect(
      await service.changePassword({ app, user: 'alice', oldpass: 'wrong-pw', newpass: 'secret-2' }),
    ).toEqual({
      ok: false,
      error: 'USER_LOGIN_FAILED',
    });
    expect(
      await service.changePassword({ app, user: 'alice', oldpass: 'secret-1', newpass: 'secret-2' }),
    ).toEqual({
      ok: true,
    });
    expect(await service.userHeartbeat({ app, user: 'alice', statecode: r.body.statecode })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });
    expect((await service.userLogin({ app, user: 'alice', pass: 'secret-1', imei: 'D', ip: '' })).ok).toBe(
      false,
    );
    expect((await service.userLogin({ app, user: 'alice', pass: 'secret-2', imei: 'D', ip: '' })).ok).toBe(
      true,
    );
    expect(await service.userCore({ app, user: 'alice', pass: 'secret-2' })).toEqual({ ok: true, core: '' });
    expect(await service.cancelUser({ app, user: 'alice', pass: 'secret-1' })).toEqual({
      ok: false,
      error: 'USER_LOGIN_FAILED',
    });
    expect(await service.cancelUser({ app, user: 'alice', pass: 'secret-2' })).toEqual({ ok: true });
    expect(await service.getUser({ app, user: 'alice' })).toBeUndefined();
    expect(await service.onlineUsers({ app })).toBe(0);
    // The name is free again.
    await registered(service, app);
  });
});

describe('decideRecharge (pure)', () => {
  it('a permanent card makes the account permanent; a disabled account still takes a recharge', () => {
    const user = {
      id: '1',
      appId: 'a',
      username: 'u',
      passHash: 'h',
      email: '',
      disabled: true,
      imei: null,
      boundIp: null,
      boundRegion: null,
      change: 0,
      core: '',
      expiresAt: null,
      usesLeft: null,
      recharges: 0,
      firstLogin: null,
      createdAt: 0,
      modifiedAt: 0,
    };
    const card = {
      id: '9',
      appId: 'a',
      cardStr: 'C',
      kind: 'permanent' as const,
      type: 5,
      durationSeconds: null,
      usesTotal: null,
      usesLeft: null,
      status: 1 as const,
      disabled: false,
      imei: null,
      boundIp: null,
      boundRegion: null,
      change: 0,
      core: '',
      createdIp: '',
      createdAt: 0,
      modifiedAt: 0,
      activatedAt: null,
      expiresAt: null,
    };
    const d = decideRecharge(user, card, false, 1_000_000);
    expect(d.ok && d.user.expiresAt).toBe(4_102_415_999);
    expect(d.ok && d.card.status).toBe(0);
    expect(decideRecharge(user, card, true, 1_000_000)).toEqual({ ok: false, error: 'CARD_ALREADY_USED' });
  });
});
