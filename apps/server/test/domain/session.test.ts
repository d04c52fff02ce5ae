import { formatBeijingMinute } from '@kami-verify/core';
import { expect, it } from 'vitest';
import { describeEngines } from './harness';

describeEngines('heartbeat', (engine) => {
  async function loggedIn(validity = 60, card: 'permanent' | 'day' = 'permanent') {
    const started = await engine.start({ app: { settings: { statecodeValiditySeconds: validity } } });
    const { service, app } = started;
    const minted = await service.mintCard({
      app,
      card: card === 'permanent' ? { kind: 'permanent' } : { kind: 'time', type: 0 },
    });
    const res = await service.login({ app, kami: minted.cardStr, imei: 'D', ip: '' });
    if (!res.ok) throw new Error(res.error);
    return { ...started, cardStr: minted.cardStr, statecode: res.body.statecode };
  }

  it('answers with the clock time and renews the statecode for another validity period', async () => {
    const { service, app, clock, statecode } = await loggedIn(60);
    for (let i = 0; i < 5; i++) {
      clock.advance({ seconds: 50 }); // 250 s in total: only alive because every beat renews it
      const now = Math.floor(clock.now() / 1000);
      expect(await service.heartbeat({ app, statecode })).toEqual({
        ok: true,
        time: now,
        date: formatBeijingMinute(now),
      });
    }
  });

  it('状态码不存在 once the validity period passes without a beat', async () => {
    const { service, app, clock, statecode, cardStr } = await loggedIn(60);
    clock.advance({ seconds: 59 });
    expect((await service.heartbeat({ app, statecode })).ok).toBe(true);
    clock.advance({ seconds: 60 });
    expect(await service.heartbeat({ app, statecode })).toEqual({ ok: false, error: 'STATECODE_NOT_FOUND' });
    // A fresh login gives a working statecode again.
    const again = await service.login({ app, kami: cardStr, imei: 'D', ip: '' });
    if (!again.ok) throw new Error(again.error);
    expect(again.body.statecode).not.toBe(statecode);
    expect((await service.heartbeat({ app, statecode: again.body.statecode })).ok).toBe(true);
    expect(await service.heartbeat({ app, statecode })).toEqual({ ok: false, error: 'STATECODE_NOT_FOUND' });
  });

  it('状态码不存在 for unknown codes, codes of another app and a kami that is not the session card', async () => {
    const { service, app, statecode, cardStr } = await loggedIn();
    expect(await service.heartbeat({ app, statecode: 'f'.repeat(32) })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });
    const other = await engine.start();
    expect(await other.service.heartbeat({ app: other.app, statecode })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });
    expect(await service.heartbeat({ app, statecode, kami: 'SOMEONE-ELSE' })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });
    expect((await service.heartbeat({ app, statecode, kami: cardStr })).ok).toBe(true);
  });

  it('kicked sessions are gone', async () => {
    const { service, app, statecode, cardStr } = await loggedIn();
    expect(await service.kickSessions({ app, cardStr })).toBe(1);
    expect(await service.heartbeat({ app, statecode })).toEqual({ ok: false, error: 'STATECODE_NOT_FOUND' });
    expect(await service.kickSessions({ app, cardStr })).toBe(0);
  });

  it('卡密被禁用 / 卡密不存在 / 卡密已到期 when the card went bad after login', async () => {
    const disabled = await loggedIn();
    await disabled.service.setCardDisabled({ app: disabled.app, cardStr: disabled.cardStr, disabled: true });
    expect(await disabled.service.heartbeat({ app: disabled.app, statecode: disabled.statecode })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });
    await disabled.service.setCardDisabled({ app: disabled.app, cardStr: disabled.cardStr, disabled: false });
    expect((await disabled.service.heartbeat({ app: disabled.app, statecode: disabled.statecode })).ok).toBe(
      true,
    );

    const deleted = await loggedIn();
    await deleted.service.deleteCard({ app: deleted.app, cardStr: deleted.cardStr });
    // Deleting ends the sessions, so the statecode itself is gone.
    expect(await deleted.service.heartbeat({ app: deleted.app, statecode: deleted.statecode })).toEqual({
      ok: false,
      error: 'STATECODE_NOT_FOUND',
    });

    // A card marked deleted behind the service's back (admin SQL) while its session lives on.
    const removed = await loggedIn();
    await removed.service.db.query('UPDATE cards SET status = 0 WHERE app_id = $1 AND card_str = $2', [
      removed.app.id,
      removed.cardStr,
    ]);
    expect(await removed.service.heartbeat({ app: removed.app, statecode: removed.statecode })).toEqual({
      ok: false,
      error: 'CARD_NOT_FOUND',
    });

    const expiring = await loggedIn(7 * 86_400, 'day');
    expiring.clock.advance({ seconds: 86_400 });
    expect(await expiring.service.heartbeat({ app: expiring.app, statecode: expiring.statecode })).toEqual({
      ok: false,
      error: 'CARD_EXPIRED',
    });
  });

  it('two logins give two live statecodes (different seconds)', async () => {
    const { service, app, clock, statecode, cardStr } = await loggedIn();
    clock.advance({ seconds: 1 });
    const second = await service.login({ app, kami: cardStr, imei: 'D', ip: '' });
    if (!second.ok) throw new Error(second.error);
    expect(second.body.statecode).not.toBe(statecode);
    expect((await service.heartbeat({ app, statecode })).ok).toBe(true);
    expect((await service.heartbeat({ app, statecode: second.body.statecode })).ok).toBe(true);
    expect(await service.kickSessions({ app, cardStr })).toBe(2);
  });

  it('sweepExpired deletes only dead sessions and tokens', async () => {
    const { service, app, clock, statecode } = await loggedIn(60);
    clock.advance({ seconds: 30 });
    const minted = await service.mintCard({ app, card: { kind: 'permanent' } });
    const fresh = await service.login({ app, kami: minted.cardStr, imei: 'D', ip: '' });
    if (!fresh.ok) throw new Error(fresh.error);
    clock.advance({ seconds: 31 }); // the first session is dead, the second has 29 s left
    // On PostgreSQL the database is shared with this file's other tests, whose sessions may be dead too.
    const swept = await service.sweepExpired();
    if (engine.name === 'pglite') expect(swept).toEqual({ sessions: 1, tokens: 0 });
    else expect(swept.sessions).toBeGreaterThanOrEqual(1);
    const left = await service.db.query('SELECT statecode FROM sessions WHERE app_id = $1', [app.id]);
    expect(left.rows).toEqual([{ statecode: fresh.body.statecode }]);
    expect(await service.heartbeat({ app, statecode })).toEqual({ ok: false, error: 'STATECODE_NOT_FOUND' });
    expect((await service.heartbeat({ app, statecode: fresh.body.statecode })).ok).toBe(true);
    expect(await service.sweepExpired()).toEqual({ sessions: 0, tokens: 0 });
  });
});
