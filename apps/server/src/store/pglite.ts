// Embedded engine: PGlite (real Postgres compiled to WASM), in memory or in a data directory.
//
// Creating a PGlite cluster (initdb) costs ~4 s, loading a dumped data directory ~0.4 s. Every
// database therefore starts from a *migrated template*: built once per process (module-level
// promise), cached on disk in os.tmpdir() keyed by a hash of the migrations, and loaded with
// `loadDataDir`. Tests that open dozens of databases pay initdb at most once per machine.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { initPath, lockDataDir, removeAbandonedInits } from './data-dir';
import { migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import type { Database, Queryable, QueryResult, Row } from './types';

type PgliteLike = Pick<PGlite, 'query' | 'exec'> | Transaction;

async function run<R extends Row>(
  target: PgliteLike,
  sql: string,
  params?: readonly unknown[],
): Promise<QueryResult<R>> {
  if (params === undefined || params.length === 0) {
    // Simple-query protocol: allows several statements (migrations); the last result counts.
    const results = await target.exec(sql);
    const last = results[results.length - 1];
    return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
  }
  const res = await target.query<R>(sql, params as unknown[]);
  return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
}

class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  constructor(
    private readonly pg: PGlite,
    /** Releases the data directory's lock once closed. */
    private readonly release: () => void = () => {},
  ) {}

  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.pg, sql, params);
  }

  // PGlite's own transaction() holds its transaction mutex: no other query interleaves, which
  // is what makes read-check-write sequences atomic on the single embedded connection.
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) }));
  }

  async close(): Promise<void> {
    try {
      if (!this.pg.closed) await this.pg.close();
    } finally {
      this.release();
    }
  }
}

// --- the migrated template ---------------------------------------------------------------------

const TEMPLATE_KEY = createHash('sha256')
  .update(JSON.stringify(MIGRATIONS))
  .update('pglite-0.5')
  .digest('hex')
  .slice(0, 16);
const TEMPLATE_FILE = join(tmpdir(), `kami-verify-pglite-template-${TEMPLATE_KEY}.tar`);

let templatePromise: Promise<Blob> | undefined;

async function buildTemplate(): Promise<Blob> {
  const pg = await PGlite.create();
  try {
    await migrate(new PgliteDatabase(pg));
    // Uncompressed: ~40 MB but loads 2.5× faster than gzip.
    return await pg.dumpDataDir('none');
  } finally {
    await pg.close();
  }
}

async function loadOrBuildTemplate(): Promise<Blob> {
  try {
    const bytes = await readFile(TEMPLATE_FILE);
    return new Blob([bytes]);
  } catch {
    // Not cached yet (or unreadable): build it.
  }
  const blob = await buildTemplate();
  try {
    // Write-then-rename so a concurrent process never reads a half-written template.
    const partial = `${TEMPLATE_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(partial, new Uint8Array(await blob.arrayBuffer()));
    await rename(partial, TEMPLATE_FILE);
  } catch {
    // The on-disk cache is an optimisation only.
  }
  return blob;
}

/** The migrated data-directory template (one build per process, cached on disk across processes). */
export function migratedTemplate(): Promise<Blob> {
  templatePromise ??= loadOrBuildTemplate();
  return templatePromise;
}

async function openFromTemplate(dataDir: string | undefined): Promise<PGlite> {
  const template = await migratedTemplate();
  try {
    return await PGlite.create({ ...(dataDir ? { dataDir } : {}), loadDataDir: template });
  } catch (error) {
    // A corrupt cached template must not brick start-up: drop it and rebuild once.
    await rm(TEMPLATE_FILE, { force: true });
    templatePromise = buildTemplate();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    try {
      return await PGlite.create({ ...(dataDir ? { dataDir } : {}), loadDataDir: await templatePromise });
    } catch {
      throw error;
    }
  }
}

function isInitialised(dir: string): boolean {
  return existsSync(join(dir, 'PG_VERSION'));
}

/**
 * Creates a migrated database at `path` atomically: built in a temporary sibling and renamed into
 * place, so a kill at any step leaves no half-made directory behind.
 */
async function initialise(path: string): Promise<void> {
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new Error(`PGlite data directory ${path} is not empty and holds no database`);
  }
  removeAbandonedInits(path);
  const draft = initPath(path);
  await mkdir(draft, { recursive: true });
  try {
    const db = new PgliteDatabase(await openFromTemplate(draft));
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    await rm(path, { recursive: true, force: true }); // an empty directory the user made
    await rename(draft, path);
  } catch (error) {
    await rm(draft, { recursive: true, force: true });
    throw error;
  }
}

/** Opens an in-memory database (`path` undefined) or a data directory (locked while open), migrated. */
export async function openPglite(dataDir?: string): Promise<Database> {
  let db: PgliteDatabase;
  if (dataDir === undefined) {
    db = new PgliteDatabase(await openFromTemplate(undefined));
  } else {
    const path = resolve(dataDir);
    await mkdir(dirname(path), { recursive: true });
    const release = lockDataDir(path);
    try {
      if (!isInitialised(path)) await initialise(path);
      db = new PgliteDatabase(await PGlite.create({ dataDir: path }), release);
    } catch (error) {
      release();
      throw error;
    }
  }
  try {
    // No-op on a fresh template; applies newer migrations to an older data directory.
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
