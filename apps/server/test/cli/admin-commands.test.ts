// The kami CLI against a real running kami-server (spawned from the build), over the admin API:
// the first token made offline, then apps, cards, sessions and tokens commands, their output
// formats and exit codes. KAMI_TEST_STORE=postgres runs it on a fresh PostgreSQL database.
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase } from '../http/db';
import { type Proc, startProcess, stopProcess } from '../http/processes';
import { ensureBuilt, kami, kamiServerBin } from './run-kami';

// Every test spawns real processes; on a loaded shared machine each can take seconds.
const SLOW = { timeout: 180_000 };

const onPostgres = process.env.KAMI_TEST_STORE === 'postgres' && POSTGRES_ADMIN_URL !== undefined;
const APP_KEY = 'b'.repeat(32);

let base: string;
let store: string;
let pg: TestDatabase | undefined;
let server: Proc | undefined;
let tokenFile: string;
let env: Record<string, string>;

beforeAll(async () => {
  ensureBuilt();
  base = await mkdtemp(join(tmpdir(), 'kami-admin-cli-'));
  if (onPostgres) {
    pg = await freshPostgres(POSTGRES_ADMIN_URL!);
    store = pg.db;
  } else store = join(base, 'data');
  const config = join(base, 'kami.json');
  writeFileSync(config, JSON.stringify({ apps: [{ name: 'shop', appKey: APP_KEY }, { name: 'tool' }] }));

  // The first token, with no server running: the store is opened (and created) directly.
  const made = await kami(['tokens', 'create', '--name', 'ops', '--db', store]);
  expect(made.stderr).toContain('shown only now');
  expect(made.code).toBe(0);
  expect(made.stdout).toMatch(/^kamiadm_[A-Za-z0-9_-]{43}\n$/);
  tokenFile = join(base, 'token');
  writeFileSync(tokenFile, made.stdout);
  chmodSync(tokenFile, 0o600);

  server = await startProcess(store, config);
  env = { KAMI_URL: server.url };
}, 180_000);

afterAll(async () => {
  await stopProcess(server);
  await pg?.drop();
  await rm(base, { recursive: true, force: true });
});

const run = (args: string[], extra: Record<string, string> = {}) =>
  kami([...args, '--token-file', tokenFile], { env: { ...env, ...extra } });
const json = async <T>(args: string[]): Promise<T> => {
  const r = await run([...args, '--json']);
  expect(r.stderr, args.join(' ')).not.toMatch(/^kami: /m);
  expect(r.code, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout) as T;
};

/** A signed plain-mode T3 login, as an SDK sends it. */
async function t3Login(route: string, kamiKey: string, imei: string): Promise<Record<string, unknown>> {
  const t = String(Math.floor(Date.now() / 1000));
  const signed = `kami=${kamiKey}&imei=${imei}&t=${t}&`;
  const s = createHash('md5')
    .update(signed + APP_KEY)
    .digest('hex');
  const res = await fetch(`${server!.url}/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `${signed}s=${s}`,
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('kami against a running server', SLOW, () => {
  it('a second offline tokens create while an embedded server holds the store exits 6', async () => {
    if (onPostgres) return; // PostgreSQL has no lock: offline commands run beside the servers
    const r = await kami(['tokens', 'create', '--db', store]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/in use by process \d+/);
    expect(r.stdout).toBe('');
  });

  it('apps list / show --secrets; kami-server apps list is the same command', async () => {
    const apps = await json<Array<{ name: string; routes: Record<string, string> }>>(['apps', 'list']);
    expect(apps.map((a) => a.name).sort()).toEqual(['shop', 'tool']);
    const shop = await json<{ secrets: { appKey: string }; routes: Record<string, string> }>([
      'apps',
      'show',
      'shop',
      '--secrets',
    ]);
    expect(shop.secrets.appKey).toBe(APP_KEY);
    const plain = await run(['apps', 'show', 'shop']);
    expect(plain.stdout).not.toContain(APP_KEY);
    expect(plain.stdout).toMatch(/^route\.login\s+[0-9A-F]{16}$/m);
    const viaServer = await kami(['apps', 'list', '--csv', '--token-file', tokenFile], {
      env,
      bin: kamiServerBin,
    });
    expect(viaServer.code).toBe(0);
    expect(viaServer.stdout.split('\n')[0]).toBe('name,id,origin,enabled,login,heartbeat');
    expect(viaServer.stdout).toContain(`shop,`);
  });

  it('cards create writes every key once the server committed them; list, export and import agree', async () => {
    const out = join(base, 'keys.csv');
    const created = await run([
      'cards',
      'create',
      '--app',
      'shop',
      '--kind',
      'time',
      '--type',
      'month',
      '--count',
      '2500',
      '--batch',
      'b1',
      '--out',
      out,
    ]);
    expect(created.stderr).toContain('2500 cards created; keys written to');
    expect(created.code).toBe(0);
    expect(created.stderr).not.toMatch(/\u001b|█|░/); // piped: no progress bar
    const keys = readFileSync(out, 'utf8').trim().split('\n');
    expect(keys[0]).toBe('key');
    expect(new Set(keys.slice(1)).size).toBe(2500);
    for (const k of keys.slice(1, 5)) expect(k).toMatch(/^[0-9A-F]{32}$/);

    const listed = await json<{ cards: Array<{ key: string; batch: string }>; nextCursor: string | null }>([
      'cards',
      'list',
      '--app',
      'shop',
      '--batch',
      'b1',
      '--all',
      '--limit',
      '1000',
    ]);
    expect(listed.nextCursor).toBeNull();
    expect(new Set(listed.cards.map((c) => c.key))).toEqual(new Set(keys.slice(1)));

    const count = await run([
      'cards',
      'create',
      '--app',
      'tool',
      '--kind',
      'count',
      '--uses',
      '3',
      '--count',
      '2',
    ]);
    expect(count.code).toBe(0);
    expect(count.stdout.trim().split('\n')).toHaveLength(2);
    const csvFile = join(base, 'count.csv');
    const asCsv = await run([
      'cards',
      'create',
      '--app',
      'tool',
      '--kind',
      'count',
      '--uses',
      '3',
      '--count',
      '3',
      '--csv',
      csvFile,
    ]);
    expect(asCsv.code).toBe(0);
    expect(readFileSync(csvFile, 'utf8')).toMatch(/^key\n([0-9A-F]{32}\n){3}$/);

    const exported = join(base, 'shop.csv');
    const exp = await run(['cards', 'export', '--app', 'shop', '--batch', 'b1', '--out', exported]);
    expect(exp.code).toBe(0);
    expect(exp.stderr).toContain('2500 cards exported');
    const imp = await run(['cards', 'import', exported, '--app', 'tool', '--json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toEqual({ imported: 2500 });
    const again = join(base, 'tool.csv');
    expect((await run(['cards', 'export', '--app', 'tool', '--batch', 'b1', '--out', again])).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(exported, 'utf8'));
    // Importing the same keys twice: refused whole (409 → exit 1), naming the key.
    const twice = await run(['cards', 'import', exported, '--app', 'tool']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/[0-9A-F]{32}/);
  });

  it('card actions, sessions list and kick follow a real login', async () => {
    const shop = await json<{ routes: Record<string, string> }>(['apps', 'show', 'shop']);
    const [key] = (
      await run(['cards', 'create', '--app', 'shop', '--kind', 'time', '--type', 'day', '--count', '1'])
    ).stdout
      .trim()
      .split('\n');
    expect(await t3Login(shop.routes.login!, key!, 'DEVICE-1')).toMatchObject({ code: '200' });

    const sessions = await json<Array<{ key: string; device: string }>>([
      'sessions',
      'list',
      '--app',
      'shop',
      '--card',
      key!,
    ]);
    expect(sessions).toEqual([expect.objectContaining({ key, device: 'DEVICE-1' })]);

    const extended = await json<{ cards: Array<{ expiresAt: number }> }>([
      'cards',
      'extend',
      key!,
      '--app',
      'shop',
      '--by',
      '2d',
    ]);
    const before = await json<{ expiresAt: number }>(['cards', 'show', key!, '--app', 'shop']);
    expect(extended.cards[0]!.expiresAt).toBe(before.expiresAt);
    expect(before.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(2.9 * 86_400);

    expect(
      (await json<{ cards: Array<{ state: string }> }>(['cards', 'disable', key!, '--app', 'shop'])).cards[0]!
        .state,
    ).toBe('disabled');
    expect(await t3Login(shop.routes.login!, key!, 'DEVICE-1')).toMatchObject({ msg: '卡密被禁用' });
    expect(
      (await json<{ cards: Array<{ state: string }> }>(['cards', 'enable', key!, '--app', 'shop'])).cards[0]!
        .state,
    ).toBe('active');

    // Another device is refused until the operator resets the card's device.
    expect(await t3Login(shop.routes.login!, key!, 'DEVICE-2')).toMatchObject({ msg: '请在原设备登录' });
    const reset = await json<{ cards: Array<{ device: string | null }> }>([
      'cards',
      'reset-device',
      key!,
      '--app',
      'shop',
    ]);
    expect(reset.cards[0]!.device).toBeNull();
    expect(await t3Login(shop.routes.login!, key!, 'DEVICE-2')).toMatchObject({ code: '200' });

    const kicked = await run(['sessions', 'kick', '--app', 'shop', '--card', key!]);
    expect(kicked.stdout).toBe('ended 1 sessions\n');
    expect(await json<unknown[]>(['sessions', 'list', '--app', 'shop', '--card', key!])).toEqual([]);

    // Keys from stdin; one unknown key is reported and sets exit 4, the others are still done.
    const del = await kami(['cards', 'delete', '-', '--app', 'shop', '--token-file', tokenFile, '--csv'], {
      env,
      input: `${key}\n${'0'.repeat(32)}\n`,
    });
    expect(del.code).toBe(4);
    expect(del.stderr).toContain(`1 of 2 keys not found: ${'0'.repeat(32)}`);
    expect(del.stdout).toMatch(new RegExp(`^${key},time,0,deleted,`, 'm'));
  });

  it('apps create / settings / rotate', async () => {
    const created = await json<{ name: string; origin: string; secrets: { appKey: string } }>([
      'apps',
      'create',
      'beta',
      '--set',
      'codeType=int',
      '--set',
      'notice=今晚维护',
    ]);
    expect(created).toMatchObject({ name: 'beta', origin: 'admin' });
    const changed = await json<{ settings: { notice: string; enabled: boolean } }>([
      'apps',
      'settings',
      'beta',
      '--set',
      'enabled=false',
    ]);
    expect(changed.settings).toMatchObject({ notice: '今晚维护', enabled: false });
    const rotated = await json<{
      secrets: { appKey: string; previousAppKey: string };
      rotation: { appKeyOverlapUntil: number };
    }>(['apps', 'rotate', 'beta', '--appkey', '--overlap', '1d']);
    expect(rotated.secrets.previousAppKey).toBe(created.secrets.appKey);
    expect(rotated.secrets.appKey).not.toBe(created.secrets.appKey);
    expect(rotated.rotation.appKeyOverlapUntil - Date.now()).toBeGreaterThan(86_000_000);
    const before = await json<{ routes: Record<string, string> }>(['apps', 'show', 'beta']);
    const routed = await json<{ routes: Record<string, string> }>(['apps', 'rotate', 'beta', '--routes']);
    expect(routed.routes.login).not.toBe(before.routes.login);
    // A config-file value cannot be rotated away (it would come back at the next start): 409 → 1.
    const pinned = await run(['apps', 'rotate', 'shop', '--appkey']);
    expect(pinned.code).toBe(1);
  });

  it('tokens: list, a read-only token, revoke through the API', async () => {
    const made = await json<{ token: { name: string; scope: string }; secret: string }>([
      'tokens',
      'create',
      '--url',
      server!.url,
      '--name',
      'viewer',
      '--scope',
      'read',
    ]);
    expect(made.token).toMatchObject({ name: 'viewer', scope: 'read' });
    const viewer = { KAMI_TOKEN: made.secret };
    const asViewer = (args: string[]) => kami(args, { env: { ...env, ...viewer } });
    expect((await asViewer(['apps', 'list'])).code).toBe(0);
    const secrets = await asViewer(['apps', 'show', 'shop', '--secrets']);
    expect(secrets.code).toBe(3);
    expect(secrets.stderr).toContain('full-scope');

    const names = (await json<Array<{ name: string }>>(['tokens', 'list'])).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['ops', 'viewer']));
    expect((await run(['tokens', 'revoke', 'viewer'])).stdout).toBe('revoked 1 token\n');
    // Revocation is immediate on the process that served it.
    expect((await asViewer(['apps', 'list'])).code).toBe(3);
    expect((await run(['tokens', 'revoke', 'viewer'])).code).toBe(4);
  });

  it('exit codes: usage 2 naming the flag, auth 3, not found 4, unreachable 5', async () => {
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['cards', 'create', '--app', 'shop', '--count', '5'], {}, 2, /--kind/],
      [['cards', 'create', '--app', 'shop', '--kind', 'time', '--count', '5'], {}, 2, /--type/],
      [
        ['cards', 'create', '--app', 'shop', '--kind', 'time', '--type', 'day', '--count', 'x'],
        {},
        2,
        /--count/,
      ],
      [['cards', 'create', '--app', 'shop', '--kind', 'count', '--count', '1'], {}, 2, /--uses/],
      [['cards', 'list', '--app', 'shop', '--state', 'bogus'], {}, 2, /--state/],
      [['cards', 'extend', 'K', '--app', 'shop'], {}, 2, /--by or --until/],
      [['sessions', 'kick', '--app', 'shop'], {}, 2, /--card or --all/],
      [['apps', 'settings', 'shop', '--set', 'codeType=nope'], {}, 2, /codeType/],
      [['apps', 'settings', 'shop', '--set', 'codeType=int'], {}, 1, /config/],
      [['apps', 'list'], { KAMI_TOKEN: 'kamiadm_wrong' }, 3, /refused the admin token/],
      [['apps', 'show', 'nope'], {}, 4, /no app nope/],
      [['cards', 'show', 'NOPE', '--app', 'shop'], {}, 4, /no card NOPE/],
      [['apps', 'list', '--url', 'http://127.0.0.1:1'], {}, 5, /cannot reach the server/],
      [['apps', 'list', '--url', 'not a url'], {}, 2, /--url/],
    ];
    for (const [args, extra, code, message] of cases) {
      const r = extra.KAMI_TOKEN ? await kami(args, { env: { ...env, ...extra } }) : await run(args, extra);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const noToken = await kami(['apps', 'list'], { env });
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toContain('KAMI_TOKEN');
  });
});
