import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKamiService, defaultAppSettings, type KamiServiceHandle } from '../../src/domain/index';
import { T3_ROUTE_NAMES } from '../../src/domain/types';
import { MIGRATIONS } from '../../src/store/migrations';
import { ADMIN_URL, createTestDatabase, describeEngines, newClock, PG_SKIP_NOTE } from './harness';

describeEngines('apps', (engine) => {
  it('generates keys and 16-hex 调用码 per endpoint, resolvable from the cache', async () => {
    const { service, app } = await engine.start();
    expect(app.id).toMatch(/^\d+$/);
    expect(app.appKey).toMatch(/^[0-9a-f]{32}$/);
    expect(app.askKey).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(app.routes).sort()).toEqual([...T3_ROUTE_NAMES].sort());
    expect(new Set(Object.values(app.routes)).size).toBe(T3_ROUTE_NAMES.length);
    for (const route of T3_ROUTE_NAMES) {
      expect(app.routes[route]).toMatch(/^[0-9A-F]{16}$/);
      expect(service.resolveRoute(app.routes[route])).toEqual({ app, route });
    }
    expect(service.resolveRoute(app.routes.login.toLowerCase())?.route).toBe('login');
    expect(service.resolveRoute('0000000000000000')).toBeUndefined();
    expect(service.resolveAskKey(app.askKey)).toBe(app);
    expect(service.resolveAskKey('nope')).toBeUndefined();
    expect(app.settings).toEqual(defaultAppSettings());
  });

  it('uses configured keys, routes and settings', async () => {
    const { app, service } = await engine.start({
      app: {
        appKey: 'configured-app-key',
        askKey: `ask-${Math.random()}`,
        routes: { login: 'AAAAAAAAAAAAAAAA' },
        settings: { unbindLimit: 9, timestampCheck: { windowSeconds: 5 }, endpoints: { notice: false } },
      },
    });
    expect(app.appKey).toBe('configured-app-key');
    expect(app.routes.login).toBe('AAAAAAAAAAAAAAAA');
    expect(service.resolveRoute('AAAAAAAAAAAAAAAA')?.route).toBe('login');
    expect(app.settings.unbindLimit).toBe(9);
    expect(app.settings.timestampCheck).toEqual({ enabled: true, windowSeconds: 5 });
    expect(app.settings.endpoints.notice).toBe(false);
    expect(app.settings.endpoints.login).toBe(true);
  });

  it('preloads configured cards with their kind, core, device and disabled flag', async () => {
    const { service, app } = await engine.start({
      app: {
        cards: [
          { cardStr: 'PRE-TIME', card: { kind: 'time', type: 3 }, core: 'c0de' },
          { cardStr: 'PRE-COUNT', card: { kind: 'count', uses: 5 } },
          { cardStr: 'PRE-OFF', card: { kind: 'permanent' }, disabled: true },
          { cardStr: 'PRE-BOUND', card: { kind: 'permanent' }, imei: 'DEV-X' },
        ],
      },
    });
    expect(await service.getCard({ app, cardStr: 'PRE-TIME' })).toMatchObject({
      kind: 'time',
      type: 3,
      durationSeconds: 90 * 86_400,
      core: 'c0de',
      status: 1,
      disabled: false,
      imei: null,
      activatedAt: null,
    });
    expect(await service.getCard({ app, cardStr: 'PRE-COUNT' })).toMatchObject({
      kind: 'count',
      type: null,
      usesTotal: 5,
      usesLeft: 5,
    });
    expect(await service.login({ app, kami: 'PRE-OFF', imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'CARD_DISABLED',
    });
    expect(await service.login({ app, kami: 'PRE-BOUND', imei: 'D', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
  });

  it('refuses an app configured twice', async () => {
    await expect(engine.start({ apps: [{ name: 'twice' }, { name: 'twice' }] })).rejects.toThrow(/twice/);
  });

  it('refuses one 调用码 on two endpoints', async () => {
    await expect(
      engine.start({ app: { routes: { login: 'BBBBBBBBBBBBBBBB', heartbeat: 'BBBBBBBBBBBBBBBB' } } }),
    ).rejects.toThrow(/调用码/);
  });
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kami-domain-'));
}

describe('restart persistence [pglite file]', () => {
  const dirs: string[] = [];
  const services: KamiServiceHandle[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps apps, generated keys/routes, cards, bindings and sessions across close/reopen', async () => {
    const dir = join(tmp(), 'data');
    dirs.push(dir);
    const clock = newClock();
    const config = {
      name: 'persist',
      potatoUsers: [{ userNumber: 'u', passWord: 'p' }],
      cards: [{ cardStr: 'PRELOADED', card: { kind: 'count' as const, uses: 3 } }],
    };
    const first = await createKamiService({ db: { kind: 'file', path: dir }, clock, apps: [config] });
    const app = first.listApps()[0];
    if (!app) throw new Error('no app');
    const card = await first.mintCard({ app, card: { kind: 'time', type: 2 } });
    const login = await first.login({ app, kami: card.cardStr, imei: 'DEV', ip: '' });
    if (!login.ok) throw new Error(login.error);
    expect((await first.login({ app, kami: 'PRELOADED', imei: 'DEV', ip: '' })).ok).toBe(true);
    await first.close();

    const second = await createKamiService({ db: { kind: 'file', path: dir }, clock, apps: [config] });
    services.push(second);
    const again = second.listApps()[0];
    expect(again).toEqual(app);
    expect(second.resolveRoute(app.routes.heartbeat)?.route).toBe('heartbeat');
    expect(await second.getCard({ app, cardStr: card.cardStr })).toMatchObject({ imei: 'DEV', id: card.id });
    expect((await second.heartbeat({ app, statecode: login.body.statecode })).ok).toBe(true);
    expect(await second.login({ app, kami: card.cardStr, imei: 'OTHER', ip: '' })).toEqual({
      ok: false,
      error: 'DEVICE_MISMATCH',
    });
    expect((await second.potatoLogin({ app, userNumber: 'u', passWord: 'p' })).ok).toBe(true);
    // Preloading is insert-if-absent: a restart does not reset a used card.
    expect((await second.getCard({ app, cardStr: 'PRELOADED' }))?.usesLeft).toBe(2);
    const migrations = await second.db.query<{ version: number }>('SELECT version FROM schema_migrations');
    // Each migration ran once, although the store was opened twice.
    expect(migrations.rows.map((r) => Number(r.version)).sort((a, b) => a - b)).toEqual(
      MIGRATIONS.map((m) => m.version),
    );
  });

  it('config values win over stored ones on restart, unspecified ones stay', async () => {
    const dir = join(tmp(), 'data');
    dirs.push(dir);
    const clock = newClock();
    const first = await createKamiService({ db: { kind: 'file', path: dir }, clock, apps: [{ name: 'x' }] });
    const before = first.listApps()[0];
    await first.close();
    const second = await createKamiService({
      db: { kind: 'file', path: dir },
      clock,
      apps: [{ name: 'x', appKey: 'new-key', routes: { query: 'CCCCCCCCCCCCCCCC' } }],
    });
    services.push(second);
    const after = second.listApps()[0];
    expect(after?.id).toBe(before?.id);
    expect(after?.appKey).toBe('new-key');
    expect(after?.askKey).toBe(before?.askKey);
    expect(after?.routes).toEqual({ ...before?.routes, query: 'CCCCCCCCCCCCCCCC' });
  });

  it('a stored app without a code for a newer route gets one generated and persisted on start', async () => {
    const dir = join(tmp(), 'data');
    dirs.push(dir);
    const clock = newClock();
    const first = await createKamiService({
      db: { kind: 'file', path: dir },
      clock,
      apps: [{ name: 'old' }],
    });
    const before = first.listApps()[0];
    // As a store written before kami_recharge and app_sign existed: the routes lack them.
    await first.db.query(`UPDATE apps SET routes = routes - 'kami_recharge' - 'app_sign' WHERE name = 'old'`);
    const stored = await first.db.query<{ routes: unknown }>(`SELECT routes FROM apps WHERE name = 'old'`);
    expect(JSON.stringify(stored.rows[0]?.routes)).not.toContain('kami_recharge');
    await first.close();

    const second = await createKamiService({
      db: { kind: 'file', path: dir },
      clock,
      apps: [{ name: 'old' }],
    });
    const after = second.listApps()[0];
    expect(after?.routes.kami_recharge).toMatch(/^[0-9A-F]{16}$/);
    expect(after?.routes.kami_recharge).not.toBe(before?.routes.kami_recharge);
    expect(after?.routes.app_sign).toMatch(/^[0-9A-F]{16}$/);
    // Every other route kept its code.
    const { kami_recharge: _a, app_sign: _b, ...kept } = after?.routes ?? {};
    const { kami_recharge: _c, app_sign: _d, ...keptBefore } = before?.routes ?? {};
    expect(kept).toEqual(keptBefore);
    expect(second.resolveRoute(after?.routes.kami_recharge ?? '')?.route).toBe('kami_recharge');
    await second.close();

    // Persisted: a third start sees the same generated codes.
    const third = await createKamiService({
      db: { kind: 'file', path: dir },
      clock,
      apps: [{ name: 'old' }],
    });
    services.push(third);
    expect(third.listApps()[0]?.routes).toEqual(after?.routes);
  });
});

describe.skipIf(!ADMIN_URL)(`restart persistence [postgres]${PG_SKIP_NOTE}`, () => {
  it('two servers started together on one database agree on generated keys', async () => {
    const db = await createTestDatabase(ADMIN_URL as string);
    try {
      const clock = newClock();
      const opts = { db: { kind: 'postgres' as const, url: db.url }, clock, apps: [{ name: 'shared' }] };
      const [a, b] = await Promise.all([createKamiService(opts), createKamiService(opts)]);
      const appA = a.listApps()[0];
      expect(appA?.appKey).toMatch(/^[0-9a-f]{32}$/);
      expect(b.listApps()[0]).toEqual(appA);
      await Promise.all([a.close(), b.close()]);
      const c = await createKamiService(opts);
      expect(c.listApps()[0]).toEqual(appA);
      await c.close();
    } finally {
      await db.drop();
    }
  });
});
