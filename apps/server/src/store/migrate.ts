import { MIGRATIONS, type Migration } from './migrations';
import type { Database, Queryable } from './types';

// Arbitrary but fixed: every Kami Verify process on one PostgreSQL database takes this lock
// around migrating, so two servers starting together do not both create the tables.
const MIGRATION_LOCK_KEY = 0x4b414d49; // "KAMI"

const CREATE_LEDGER = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at bigint NOT NULL
)`;

async function applyPending(tx: Queryable, migrations: readonly Migration[]): Promise<number[]> {
  await tx.query(CREATE_LEDGER);
  const done = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(done.rows.map((r) => Number(r.version)));
  const ran: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    // Multi-statement DDL: no parameters, so both drivers run it as a simple query.
    await tx.query(m.sql);
    await tx.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
      m.version,
      m.name,
      Date.now(),
    ]);
    ran.push(m.version);
  }
  return ran;
}

/** Applies every pending migration in one transaction; returns the versions it applied. */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return db.transaction(async (tx) => {
    // Transaction-scoped, released by COMMIT/ROLLBACK; PGlite has one connection so needs none.
    if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    return applyPending(tx, migrations);
  });
}
