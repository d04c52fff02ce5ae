import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSpec } from '../../src/domain/types';
import { type Database, MIGRATIONS, migrate, openDatabase, textArrayLiteral } from '../../src/store/index';
import { ADMIN_URL, createTestDatabase, PG_SKIP_NOTE } from '../domain/harness';

const engines: Array<{ name: string; spec: () => DatabaseSpec; skip?: string }> = [];
let pgDb: { url: string; drop(): Promise<void> } | undefined;
engines.push({ name: 'pglite', spec: () => ({ kind: 'memory' }) });
engines.push({
  name: 'postgres',
  spec: () => ({ kind: 'postgres', url: (pgDb as { url: string }).url }),
  ...(ADMIN_URL ? {} : { skip: 'KAMI_TEST_DATABASE_URL is not set' }),
});

beforeAll(async () => {
  if (ADMIN_URL) pgDb = await createTestDatabase(ADMIN_URL);
});
afterAll(async () => {
  await pgDb?.drop();
});

for (const engine of engines) {
  const suite = engine.skip ? describe.skip : describe;
  suite(`store [${engine.name}]${engine.skip ? ` — skipped: ${engine.skip}` : ''}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await openDatabase(engine.spec());
    });
    afterAll(async () => {
      await db?.close();
    });

    it('records every migration once; migrating again is a no-op', async () => {
      const rows = await db.query<{ version: unknown; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(rows.rows.map((r) => [Number(r.version), r.name])).toEqual(
        MIGRATIONS.map((m) => [m.version, m.name]),
      );
      expect(await migrate(db)).toEqual([]);
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'apps',
          'cards',
          'potato_tokens',
          'potato_users',
          'schema_migrations',
          'sessions',
        ]),
      );
    });

    it('applies a new migration exactly once', async () => {
      const extra = [
        ...MIGRATIONS,
        { version: 9999, name: 'test only', sql: 'CREATE TABLE store_test_extra (x int)' },
      ];
      expect(await migrate(db, extra)).toEqual([9999]);
      expect(await migrate(db, extra)).toEqual([]);
      await db.query('DROP TABLE store_test_extra');
      await db.query('DELETE FROM schema_migrations WHERE version = $1', [9999]);
    });

    it('commits a transaction, and rolls back on error', async () => {
      await db.query('CREATE TABLE IF NOT EXISTS store_tx (k text PRIMARY KEY, v int)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO store_tx VALUES ($1, $2)', ['a', 1]);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO store_tx VALUES ($1, $2)', ['b', 2]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const rows = await db.query<{ k: string }>('SELECT k FROM store_tx ORDER BY k');
      expect(rows.rows.map((r) => r.k)).toEqual(['a']);
      await db.query('DROP TABLE store_tx');
    });

    it('serialises read-modify-write transactions (no lost updates)', async () => {
      await db.query('CREATE TABLE IF NOT EXISTS store_counter (id int PRIMARY KEY, n int)');
      await db.query('INSERT INTO store_counter VALUES (1, 0)');
      await Promise.all(
        Array.from({ length: 40 }, () =>
          db.transaction(async (tx) => {
            const r = await tx.query<{ n: unknown }>('SELECT n FROM store_counter WHERE id = 1 FOR UPDATE');
            await tx.query('UPDATE store_counter SET n = $1 WHERE id = 1', [Number(r.rows[0]?.n) + 1]);
          }),
        ),
      );
      const r = await db.query<{ n: unknown }>('SELECT n FROM store_counter WHERE id = 1');
      expect(Number(r.rows[0]?.n)).toBe(40);
      await db.query('DROP TABLE store_counter');
    });

    it('passes text-array literals with quotes and backslashes intact', async () => {
      const values = ['plain', 'with "quote"', 'back\\slash', 'comma,brace}{', ''];
      const r = await db.query<{ v: string }>('SELECT unnest($1::text[]) AS v', [textArrayLiteral(values)]);
      expect(r.rows.map((x) => x.v)).toEqual(values);
    });

    if (engine.name === 'postgres') {
      it('retries a transaction on serialization failure and deadlock, not on other errors', async () => {
        let attempts = 0;
        const result = await db.transaction(async (tx) => {
          attempts++;
          if (attempts === 1)
            await tx.query(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$`);
          if (attempts === 2)
            await tx.query(`DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$`);
          return 'done';
        });
        expect([result, attempts]).toEqual(['done', 3]);
        attempts = 0;
        await expect(
          db.transaction(async (tx) => {
            attempts++;
            await tx.query(`DO $$ BEGIN RAISE EXCEPTION 'other' USING ERRCODE = '22000'; END $$`);
          }),
        ).rejects.toThrow('other');
        expect(attempts).toBe(1);
      });
    }
  });
}

describe.skipIf(!ADMIN_URL)(`concurrent migrators [postgres]${PG_SKIP_NOTE}`, () => {
  it('four servers migrating one fresh database at once all succeed, schema applied once', async () => {
    const fresh = await createTestDatabase(ADMIN_URL as string);
    try {
      const dbs = await Promise.all(
        Array.from({ length: 4 }, () => openDatabase({ kind: 'postgres', url: fresh.url })),
      );
      const rows = await (dbs[0] as Database).query<{ n: unknown }>(
        'SELECT count(*) AS n FROM schema_migrations',
      );
      expect(Number(rows.rows[0]?.n)).toBe(MIGRATIONS.length);
      await Promise.all(dbs.map((d) => d.close()));
    } finally {
      await fresh.drop();
    }
  });
});

describe('PGlite data directory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'kami-store-'));
    dirs.push(d);
    return d;
  };

  it('persists data across close and reopen', async () => {
    const dir = join(tmp(), 'pgdata');
    const first = await openDatabase({ kind: 'file', path: dir });
    await first.query(
      `INSERT INTO apps (id, name, app_key, ask_key, routes, settings, created_at, modified_at)
       VALUES ($1, $2, $3, $4, '{}', '{}', 0, 0)`,
      ['1', 'persisted', 'k', 'ask'],
    );
    await first.close();
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    const second = await openDatabase({ kind: 'file', path: dir });
    const rows = await second.query<{ name: string }>('SELECT name FROM apps');
    expect(rows.rows.map((r) => r.name)).toEqual(['persisted']);
    expect(await migrate(second)).toEqual([]);
    await second.close();
  });

  it('refuses a non-empty directory that holds no database', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'unrelated.txt'), 'x');
    await expect(openDatabase({ kind: 'file', path: dir })).rejects.toThrow(/not empty/);
  });

  it('memory databases are independent of each other', async () => {
    const [a, b] = await Promise.all([openDatabase({ kind: 'memory' }), openDatabase({ kind: 'memory' })]);
    await a.query(`INSERT INTO apps (id, name, app_key, ask_key, routes, settings, created_at, modified_at)
      VALUES ('1', 'only-in-a', 'k', 'ask', '{}', '{}', 0, 0)`);
    expect((await b.query('SELECT id FROM apps')).rows).toEqual([]);
    expect((await a.query('SELECT id FROM apps')).rows).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });
});
