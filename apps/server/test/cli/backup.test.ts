// backup / restore with the real binary on real stores: a store with apps, cards of every kind,
// sessions and potato tokens goes to a file and comes back identical (compared row by row, not
// through the CLI's own checksums), on the embedded store, on PostgreSQL and across the two.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseSpec } from '../../src/config/database';
import { createKamiService } from '../../src/domain/index';
import { openDatabase } from '../../src/store/index';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase } from '../http/db';
import { ensureBuilt, kami, kamiBin, kamiServerBin } from './run-kami';

// Every test spawns real processes; on a loaded shared machine each can take seconds.
const SLOW = { timeout: 180_000 };

let base: string;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  ensureBuilt();
  base = await mkdtemp(join(tmpdir(), 'kami-backup-'));
}, 120_000);

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
  for (const d of databases) await d.drop();
});

const dir = (name: string) => join(base, name);

/** A store with some of everything: two apps, time/count/permanent cards, bindings, sessions, tokens. */
async function seed(db: string, bulk = 300): Promise<void> {
  const service = await createKamiService({
    db: parseDatabaseSpec(db),
    clock: { now: () => Date.now() },
    apps: [
      { name: 'shop', potatoUsers: [{ userNumber: 'reseller', passWord: 'pw-1' }] },
      { name: 'tool', settings: { codeType: 'int', notice: '今晚维护\n第二行 \\ 反斜杠\t制表' } },
    ],
  });
  try {
    const [shop, tool] = service.listApps();
    await service.bulkCreateCards({ app: shop!, type: 1, count: bulk });
    const day = await service.mintCard({ app: shop!, card: { kind: 'time', type: 0 }, core: 'abcd' });
    const count = await service.mintCard({ app: tool!, card: { kind: 'count', uses: 3 } });
    const perm = await service.mintCard({ app: tool!, card: { kind: 'permanent' } });
    const off = await service.mintCard({ app: tool!, card: { kind: 'time', type: 2 } });
    await service.setCardDisabled({ app: tool!, cardStr: off.cardStr, disabled: true });
    for (const [app, card, imei] of [
      [shop!, day, 'DEVICE-1'],
      [tool!, count, 'DEVICE-2'],
      [tool!, perm, "DEVICE-'3"],
    ] as const) {
      const r = await service.login({ app, kami: card.cardStr, imei, ip: '10.0.0.1' });
      if (!r.ok && !imei.includes("'")) throw new Error(`seed login failed: ${JSON.stringify(r)}`);
    }
    await service.login({ app: tool!, kami: perm.cardStr, imei: 'DEVICE-3', ip: '10.0.0.2' });
    const token = await service.potatoLogin({ app: shop!, userNumber: 'reseller', passWord: 'pw-1' });
    if (!token.ok) throw new Error('seed potato login failed');
  } finally {
    await service.close();
  }
}

/** Every row of every table, as jsonb text, sorted: the engines' own rendering, compared exactly. */
async function contents(db: string): Promise<Record<string, string[]>> {
  const database = await openDatabase(parseDatabaseSpec(db));
  try {
    const tables = await database.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' ORDER BY 1`,
    );
    const out: Record<string, string[]> = {};
    for (const { name } of tables.rows) {
      const rows = await database.query<{ r: string }>(`SELECT to_jsonb(t)::text AS r FROM "${name}" t`);
      out[name] = rows.rows.map((r) => r.r).sort();
    }
    return out;
  } finally {
    await database.close();
  }
}

const rowCount = (c: Record<string, string[]>) => Object.values(c).reduce((n, rows) => n + rows.length, 0);

describe('backup and restore on the embedded store', SLOW, () => {
  it('round-trips every table exactly, and the restored store serves the same cards', async () => {
    await seed(dir('a'));
    const before = await contents(dir('a'));
    expect(before.cards!.length).toBe(304);
    expect(before.sessions!.length).toBeGreaterThanOrEqual(3);
    expect(before.potato_tokens!.length).toBe(1);

    const backup = await kami(['backup', join(base, 'a.kami.gz'), '--db', dir('a'), '--json']);
    expect(backup.stderr).toContain('written to');
    expect(backup.code).toBe(0);
    const summary = JSON.parse(backup.stdout) as { tables: Array<{ name: string; rows: number }> };
    expect(Object.fromEntries(summary.tables.map((t) => [t.name, t.rows]))).toEqual(
      Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.length])),
    );
    // Piped: no progress bar, no control characters.
    expect(backup.stderr).not.toMatch(/\u001b|█|░/);

    const restore = await kami(['restore', join(base, 'a.kami.gz'), '--data-dir', dir('a-restored')]);
    expect(restore.stderr).toContain('every table verified');
    expect(restore.code).toBe(0);
    expect(await contents(dir('a-restored'))).toEqual(before);

    // The restored store works: the bound day card still refuses another device, and its own device logs in.
    const dayCard = (
      JSON.parse(before.cards!.find((r) => r.includes('"core": "abcd"'))!) as { card_str: string }
    ).card_str;
    const service = await createKamiService({
      db: parseDatabaseSpec(dir('a-restored')),
      clock: { now: () => Date.now() },
      apps: [{ name: 'shop' }],
    });
    try {
      const shop = service.listApps().find((a) => a.name === 'shop')!;
      expect(await service.login({ app: shop, kami: dayCard, imei: 'OTHER', ip: '10.0.0.1' })).toMatchObject({
        ok: false,
        error: 'DEVICE_MISMATCH',
      });
      expect(
        await service.login({ app: shop, kami: dayCard, imei: 'DEVICE-1', ip: '10.0.0.1' }),
      ).toMatchObject({ ok: true });
    } finally {
      await service.close();
    }
  });

  it('refuses while a server holds the data directory (exit 6, names the process and what to do)', async () => {
    await seed(dir('busy'), 1);
    const service = await createKamiService({
      db: parseDatabaseSpec(dir('busy')),
      clock: { now: () => Date.now() },
      apps: [],
    });
    try {
      const run = await kami(['backup', join(base, 'busy.kami.gz'), '--db', dir('busy')]);
      expect(run.code).toBe(6);
      expect(run.stderr).toContain(`in use by process ${process.pid}`);
      expect(run.stderr).toContain('stop that server');
      expect(existsSync(join(base, 'busy.kami.gz'))).toBe(false);
      const restore = await kami(['restore', join(base, 'a.kami.gz'), '--db', dir('busy'), '--force']);
      expect(restore.code).toBe(6);
    } finally {
      await service.close();
    }
  });

  it('refuses a non-empty target unless --force, then replaces it exactly', async () => {
    await seed(dir('other'), 5);
    const file = join(base, 'a.kami.gz');
    const refused = await kami(['restore', file, '--db', dir('other')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty \(rows: apps 2, cards 9/);
    expect(refused.stderr).toContain('--force');
    const forced = await kami(['restore', file, '--db', dir('other'), '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/\d+ rows it held before were replaced/);
    expect(await contents(dir('other'))).toEqual(await contents(dir('a')));
  });

  it('a damaged or altered file restores nothing', async () => {
    const text = gunzipSync(readFileSync(join(base, 'a.kami.gz'))).toString('utf8');
    // One card's data altered, trailer intact: the checksum catches it.
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes('\tabcd\t'));
    expect(i).toBeGreaterThan(0);
    lines[i] = lines[i]!.replace('\tabcd\t', '\tabce\t');
    writeFileSync(join(base, 'altered.gz'), gzipSync(lines.join('\n')));
    const altered = await kami(['restore', join(base, 'altered.gz'), '--db', dir('t1')]);
    expect(altered.code).toBe(1);
    expect(altered.stderr).toContain('damaged: table cards');
    expect(rowCount(await contents(dir('t1')))).toBe(0);

    // Cut short: no end marker.
    writeFileSync(join(base, 'cut.gz'), gzipSync(text.slice(0, Math.floor(text.length * 0.7))));
    const cut = await kami(['restore', join(base, 'cut.gz'), '--db', dir('t2')]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/damaged/);
    expect(rowCount(await contents(dir('t2')))).toBe(0);

    writeFileSync(join(base, 'junk.gz'), 'not a backup');
    const junk = await kami(['restore', join(base, 'junk.gz'), '--db', dir('t3')]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('not a kami backup file');
    expect(existsSync(dir('t3'))).toBe(false); // checked before the target is created
  });

  it('usage errors name the flag or argument (exit 2), missing things exit 4', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['backup'], 2, /missing required argument 'file'/],
      [['backup', 'x.gz', '--bogus'], 2, /unknown option '--bogus'/],
      [['backup', 'x.gz', '--db', 'a', '--data-dir', 'b'], 2, /--db, --data-dir and --database-url/],
      [['backup', 'x.gz', '--database-url', 'not-a-url'], 2, /--database-url must be a postgres/],
      [['backup', join(base, 'a.kami.gz'), '--db', dir('a')], 2, /<file>: .* exists/],
      [['backup', join(base, 'n.gz'), '--db', dir('nothing-here')], 4, /no embedded store at/],
      [['restore', join(base, 'missing.gz'), '--db', dir('t4')], 4, /does not exist/],
      [['backup', 'x.gz', '--json', '--csv', '--db', dir('a')], 2, /--json and --csv/],
    ];
    for (const [args, code, message] of cases) {
      const run = await kami(args);
      expect(run.code, args.join(' ')).toBe(code);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
  });

  // `script` gives the command a pseudo-terminal: the one place a progress bar must appear.
  it.skipIf(spawnSync('script', ['--version']).status !== 0)(
    'on a terminal, a progress bar on stderr',
    () => {
      const file = join(base, 'tty.kami.gz');
      const command = [process.execPath, kamiBin, 'backup', file, '--db', dir('a')]
        .map((a) => `'${a}'`)
        .join(' ');
      const run = spawnSync('script', ['-qec', command, '/dev/null'], {
        encoding: 'utf8',
        env: { ...process.env, TERM: 'xterm' },
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/backup \[[=-]+\] 100% 3\d\d\/3\d\d/);
      const quiet = spawnSync('script', ['-qec', `${command} --force --no-progress`, '/dev/null'], {
        encoding: 'utf8',
      });
      expect(quiet.status).toBe(0);
      expect(quiet.stdout).not.toMatch(/backup \[/);
    },
  );

  it('kami-server backup is the same command', async () => {
    const run = await kami(['backup', join(base, 'via-server.gz'), '--db', dir('a'), '--csv'], {
      bin: kamiServerBin,
    });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('table,rows,checksum (sha256 sum)');
    expect(run.stdout).toMatch(/^cards,304,[0-9a-f]{64}$/m);
  });
});

describe.skipIf(!POSTGRES_ADMIN_URL)('backup and restore on PostgreSQL, and across engines', SLOW, () => {
  const pg = async () => {
    const d = await freshPostgres(POSTGRES_ADMIN_URL!);
    databases.push(d);
    return d.db;
  };

  it('PostgreSQL → PostgreSQL, PostgreSQL → embedded, embedded → PostgreSQL', async () => {
    const source = await pg();
    await seed(source);
    const before = await contents(source);
    const file = join(base, 'pg.kami.gz');
    const backup = await kami(['backup', file, '--database-url', source]);
    expect(backup.stderr).toContain('written to');
    expect(backup.code).toBe(0);

    const target = await pg();
    const restored = await kami(['restore', file, '--db', target]);
    expect(restored.stderr).toContain('every table verified');
    expect(restored.code).toBe(0);
    expect(await contents(target)).toEqual(before);

    const toEmbedded = await kami(['restore', file, '--db', dir('from-pg')]);
    expect(toEmbedded.code).toBe(0);
    expect(await contents(dir('from-pg'))).toEqual(before);

    const fromEmbedded = await pg();
    const run = await kami(['restore', join(base, 'a.kami.gz'), '--db', fromEmbedded]);
    expect(run.code).toBe(0);
    expect(await contents(fromEmbedded)).toEqual(await contents(dir('a')));

    // Non-empty PostgreSQL target: refused, then replaced in one transaction.
    const refused = await kami(['restore', file, '--db', fromEmbedded]);
    expect(refused.code).toBe(1);
    const forced = await kami(['restore', file, '--db', fromEmbedded, '--force']);
    expect(forced.code).toBe(0);
    expect(await contents(fromEmbedded)).toEqual(before);
  });

  it('an unreachable database exits 5', async () => {
    const run = await kami(['backup', join(base, 'x.gz'), '--db', 'postgres://kami@127.0.0.1:1/kami']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('cannot reach PostgreSQL');
  });
});
