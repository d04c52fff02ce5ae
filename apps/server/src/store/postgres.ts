// Server engine: PostgreSQL through a pg.Pool. Same SQL as PGlite.
import type pg from 'pg';
import { loadPg } from './load-pg';
import { migrate } from './migrate';
import { type Database, DatabaseUnavailableError, type Queryable, type QueryResult, type Row } from './types';

// Transient conflicts worth retrying the whole transaction for.
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 8;

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/**
 * Named (server-side prepared) statements: a parameterised statement is parsed and planned once
 * per connection instead of on every call. The SQL texts are a small fixed set (the write builder
 * emits one text per combination of parts), bounded here anyway. KAMI_PG_PREPARE=0 turns it off.
 */
const PREPARE = process.env.KAMI_PG_PREPARE !== '0';
const MAX_NAMED = 500;
const names = new Map<string, string>();
function nameOf(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `kami_${names.size}`;
    names.set(sql, name);
  }
  return name;
}

// Connection exceptions (08…), operator intervention (57P01 admin shutdown, 57P02 crash
// shutdown, 57P03 cannot connect now) and the driver's own socket errors: the database is away.
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

function isUnavailable(error: unknown): boolean {
  const code = sqlState(error) ?? '';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/** Database-away errors become {@link DatabaseUnavailableError}; the rest pass unchanged. */
function classify(error: unknown): unknown {
  return isUnavailable(error) ? new DatabaseUnavailableError(error) : error;
}

async function run<R extends Row>(
  target: pg.Pool | pg.PoolClient,
  sql: string,
  params?: readonly unknown[],
): Promise<QueryResult<R>> {
  // Statements without parameters (migrations: several statements in one text) stay simple queries.
  const name = PREPARE && params && params.length > 0 ? nameOf(sql) : undefined;
  const raw: pg.QueryResult<R> | pg.QueryResult<R>[] = name
    ? await target.query<R>({ name, text: sql, values: params as unknown[] })
    : await target.query<R>(sql, params as unknown[] | undefined);
  // A multi-statement simple query (migrations) yields one result per statement: the last counts.
  const res = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (!res) return { rows: [], rowCount: 0 };
  return { rows: res.rows, rowCount: res.rowCount ?? res.rows.length };
}

class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {}

  async query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      return await run<R>(this.pool, sql, params);
    } catch (error) {
      throw classify(error);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      return await this.transactionAttempts(fn);
    } catch (error) {
      throw classify(error);
    }
  }

  private async transactionAttempts<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      // A checked-out client is not covered by the pool's error listener: without one of its
      // own, a server restart (57P01) emits an unhandled 'error' and ends the process.
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn({ query: (sql, params) => run(client, sql, params) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // connection is gone; do not return it to the pool
        }
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(error) ?? '')) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export interface PostgresOptions {
  /** Pool size; default KAMI_PG_POOL_SIZE from the environment, else 10. */
  max?: number;
}

/** Connections per process: N processes need N × this within the server's max_connections. */
export function poolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.KAMI_PG_POOL_SIZE);
  return Number.isInteger(n) && n > 0 ? n : 10;
}

/** Connects to PostgreSQL and migrates (guarded by an advisory lock against concurrent starters). */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const { Pool } = await loadPg();
  const pool = new Pool({ connectionString: url, max: options.max ?? poolSize() });
  // An idle client erroring (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new PostgresDatabase(pool);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
