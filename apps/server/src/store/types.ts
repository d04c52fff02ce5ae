// The one query interface both engines implement. Everything above the store speaks only this,
// so the domain's SQL is written once and runs unchanged on PGlite and on PostgreSQL.

/** A result row as the driver returns it (bigint columns may arrive as number, bigint or string). */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  /** Rows inserted / updated / deleted (or returned, for SELECT). */
  rowCount: number;
}

export interface Queryable {
  /** Parameterised SQL only (`$1`, `$2`, ...); values are never spliced into the text. */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /**
   * Runs `fn` in one transaction: exclusive on PGlite (one connection), a pooled client with
   * BEGIN/COMMIT on PostgreSQL, retried on serialization failure / deadlock. `fn` may run more
   * than once on PostgreSQL, so it must not have side effects outside the database.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The database cannot be reached (restarting, refusing connections, connection lost mid-query).
 * Nothing of the interrupted operation was acknowledged; the caller may try again shortly.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(override readonly cause: unknown) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
