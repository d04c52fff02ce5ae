// The operator surface in the domain, on both engines: operator unbind, expiry, import all or
// nothing, listings that see every acknowledged change, and races between admin actions and logins.
import { expect, it } from 'vitest';
import { decideExpiry, decideOperatorUnbind } from '../../src/domain/rules/index';
import { describeEngines } from './harness';

const DAY = 86_400;

describeEngines('admin operations', (engine) => {
  it('operator unbind clears the device, ends sessions, and does not count toward change', async () => {
    const { service, app } = await engine.start({ app: { settings: { unbindLimit: 1 } } });
    const admin = service.admin!;
    const card = await service.mintCard({ app, card: { kind: 'time', type: 2 } });
    const login = await service.login({ app, kami: card.cardStr, imei: 'DEV-1', ip: '' });
    expect(login.ok).toBe(true);
    expect(await admin.unbindCard(app, card.cardStr)).toBe(true);
    const after = await service.getCard({ app, cardStr: card.cardStr });
    expect(after).toMatchObject({ imei: null, change: 0 });
    expect((await admin.sessions(app, card.cardStr)).length).toBe(0);
    // The client's own unbind limit is still whole: bind again, unbind once as the client.
    expect((await service.login({ app, kami: card.cardStr, imei: 'DEV-2', ip: '' })).ok).toBe(true);
    expect(await service.unbind({ app, kami: card.cardStr, imei: 'DEV-2' })).toEqual({ ok: true, change: 1 });
  });

  it('expiry: only activated time cards; set and extend', async () => {
    const { service, app, clock } = await engine.start();
    const admin = service.admin!;
    const unused = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
    await expect(admin.setExpiry(app, unused.cardStr, { extendSeconds: DAY })).rejects.toThrow(
      /not activated/,
    );
    const perm = await service.mintCard({ app, card: { kind: 'permanent' } });
    await expect(admin.setExpiry(app, perm.cardStr, { extendSeconds: DAY })).rejects.toThrow(/time cards/);
    await expect(admin.setExpiry(app, 'NO-SUCH-CARD', { extendSeconds: DAY })).rejects.toThrow(/no card/);
    const card = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
    await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
    const now = Math.floor(clock.now() / 1000);
    const extended = await admin.setExpiry(app, card.cardStr, { extendSeconds: 2 * DAY });
    expect(extended.expiresAt).toBe(now + 3 * DAY);
    clock.advance({ seconds: 2 * DAY });
    expect((await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).ok).toBe(true);
    await admin.setExpiry(app, card.cardStr, { expiresAt: now });
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_EXPIRED',
    });
  });

  it('import is all or nothing', async () => {
    const { service, app } = await engine.start();
    const admin = service.admin!;
    const existing = await service.mintCard({ app, card: { kind: 'permanent' } });
    const row = (cardStr: string) => ({
      cardStr,
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
      createdAt: 1_700_000_000_000,
      activatedAt: null,
      expiresAt: null,
      remark: '',
      batch: 'imp',
    });
    const rows = Array.from({ length: 7_000 }, (_, i) => row(`IMPORTED-${i}`));
    rows.push(row(existing.cardStr));
    await expect(admin.importCards(app, rows)).rejects.toThrow(existing.cardStr);
    expect(await admin.cardsPage({ appId: app.id, limit: 10, batch: 'imp' })).toHaveLength(0);
    expect(await admin.importCards(app, rows.slice(0, 7_000))).toBe(7_000);
    expect(await admin.cardsPage({ appId: app.id, limit: 1000, batch: 'imp' })).toHaveLength(1000);
  });

  it('listings see every acknowledged change (embedded: memory written back first)', async () => {
    const { service, app } = await engine.start();
    const admin = service.admin!;
    const card = await service.mintCard({ app, card: { kind: 'count', uses: 3 } });
    await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
    const [listed] = await admin.cardsPage({ appId: app.id, limit: 10, bound: true });
    expect(listed).toMatchObject({ cardStr: card.cardStr, usesLeft: 2, imei: 'D' });
    expect(await admin.sessions(app)).toHaveLength(1);
  });

  it('races: disable during a burst of logins, kick-all during logins, two bulk creations at once', async () => {
    const { service, app } = await engine.start();
    const admin = service.admin!;
    const card = await service.mintCard({ app, card: { kind: 'count', uses: 1000 } });
    await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' });
    const logins = Array.from({ length: 40 }, () =>
      service.login({ app, kami: card.cardStr, imei: 'D', ip: '' }),
    );
    const disabled = admin.setDisabled(app, card.cardStr, true);
    const results = await Promise.all([...logins, disabled]);
    expect(results.at(-1)).toBe(true);
    const ok = (results.slice(0, 40) as Array<{ ok: boolean }>).filter((r) => r.ok).length;
    const stored = await service.getCard({ app, cardStr: card.cardStr });
    // Every successful login used exactly one use; none after the disable.
    expect(stored?.usesLeft).toBe(1000 - 1 - ok);
    expect(stored?.disabled).toBe(true);
    expect(await service.login({ app, kami: card.cardStr, imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });

    const a = await service.mintCard({ app, card: { kind: 'permanent' } });
    await Promise.all([service.login({ app, kami: a.cardStr, imei: 'X', ip: '' }), admin.kick(app)]);
    await admin.kick(app);
    expect(await admin.sessions(app)).toHaveLength(0);

    const keys: string[] = [];
    const both = await Promise.all(
      [1, 2].map((n) =>
        admin.createCards({
          app,
          card: { kind: 'time', type: 1 },
          count: 3_000,
          batch: `race-${n}`,
          onInserted: (k) => keys.push(...k),
        }),
      ),
    );
    expect(both).toEqual([3_000, 3_000]);
    expect(new Set(keys).size).toBe(6_000);
    const counts = await admin.stats(app, 1);
    expect(counts.cards.unused).toBe(6_000);
  });
});

it('pure rules: operator unbind keeps change, expiry refusals', () => {
  const card = {
    id: '1',
    appId: 'a',
    cardStr: 'K',
    kind: 'time' as const,
    type: 0,
    durationSeconds: DAY,
    usesTotal: null,
    usesLeft: null,
    status: 1 as const,
    disabled: false,
    imei: 'D',
    boundIp: '1.2.3.4',
    boundRegion: null,
    change: 2,
    core: '',
    createdIp: '',
    createdAt: 0,
    modifiedAt: 0,
    activatedAt: 100,
    expiresAt: 100 + DAY,
  };
  expect(decideOperatorUnbind(card, 5)).toMatchObject({
    imei: null,
    boundIp: null,
    change: 2,
    modifiedAt: 5,
  });
  expect(decideOperatorUnbind({ ...card, status: 0 }, 5)).toBeUndefined();
  expect(decideExpiry(card, { extendSeconds: -10 * DAY }, 5)).toMatchObject({ expiresAt: 0 });
  expect(decideExpiry({ ...card, activatedAt: null, expiresAt: null }, { expiresAt: 9 }, 5)).toBe(
    'not-activated',
  );
  expect(decideExpiry({ ...card, kind: 'count' }, { expiresAt: 9 }, 5)).toBe('not-a-time-card');
  expect(decideExpiry(undefined, { expiresAt: 9 }, 5)).toBe('not-found');
});
