// One transaction on either engine with the two things a logical dump needs beyond queries:
// COPY … TO (the rows out, as COPY text) and COPY … FROM (rows in). PGlite copies through its
// '/dev/blob' device; PostgreSQL through the driver's COPY protocol (pg-copy-streams), so no
// pg_dump binary is needed.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lockDataDir } from '../../store/data-dir';
import type { DatabaseSpec } from '../../store/spec';
import type { Row } from '../../store/types';
import { CliError, EXIT } from '../exit-codes';

export interface CopySession {
  query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs `COPY (…) TO STDOUT` and hands over the COPY text chunk by chunk. */
  copyOut(select: string, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void>;
  /** Runs `COPY table (cols) FROM STDIN` with the given COPY text lines (no newlines). */
  copyIn(table: string, columns: readonly string[], lines: AsyncIterable<string>): Promise<void>;
}

export interface CopyEngine {
  readonly engine: 'pglite' | 'postgres';
  /** One REPEATABLE READ transaction; `fn` throwing rolls everything back. */
  transaction<T>(mode: 'read' | 'write', fn: (session: CopySession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

const BEGIN = (mode: 'read' | 'write') =>
  `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ${mode === 'read' ? ', READ ONLY' : ''}`;

// --- PGlite ------------------------------------------------------------------------------------

async function openPgliteEngine(path: string): Promise<CopyEngine> {
  const dir = resolve(path);
  if (!existsSync(join(dir, 'PG_VERSION')))
    throw new CliError(`no embedded store at ${dir} (no PG_VERSION file there)`, EXIT.notFound);
  const release = lockDataDir(dir);
  const { PGlite } = await import('@electric-sql/pglite');
  let pg: InstanceType<typeof PGlite>;
  try {
    pg = await PGlite.create({ dataDir: dir });
  } catch (error) {
    release();
    throw error;
  }
  return {
    engine: 'pglite',
    transaction: (mode, fn) =>
      pg.transaction(async (tx) => {
        await tx.query(BEGIN(mode));
        return fn({
          query: async <R extends Row>(sql: string, params?: unknown[]) =>
            (await tx.query<R>(sql, params ?? [])).rows,
          async copyOut(select, onChunk) {
            const result = await tx.query(`COPY (${select}) TO '/dev/blob'`);
            if (result.blob) await onChunk(Buffer.from(await result.blob.arrayBuffer()));
          },
          async copyIn(table, columns, lines) {
            // The device reads one blob: the table's lines are gathered first (the embedded store
            // keeps its cards in memory anyway).
            const parts: string[] = [];
            for await (const line of lines) parts.push(line, '\n');
            if (parts.length === 0) return;
            await tx.query(
              `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM '/dev/blob'`,
              [],
              {
                blob: new Blob(parts),
              },
            );
          },
        });
      }),
    async close() {
      try {
        if (!pg.closed) await pg.close();
      } finally {
        release();
      }
    },
  };
}

// --- PostgreSQL --------------------------------------------------------------------------------

async function openPostgresEngine(url: string): Promise<CopyEngine> {
  const { default: pg } = await import('pg');
  const { from, to } = await import('pg-copy-streams');
  const { pipeline } = await import('node:stream/promises');
  const { Readable } = await import('node:stream');
  const client = new pg.Client({ connectionString: url, application_name: 'kami backup' });
  client.on('error', () => {}); // a dropped connection surfaces as the failing query's error
  await client.connect();
  return {
    engine: 'postgres',
    async transaction(mode, fn) {
      await client.query('BEGIN');
      try {
        await client.query(BEGIN(mode));
        const result = await fn({
          query: async <R extends Row>(sql: string, params?: unknown[]) =>
            (await client.query<R>(sql, params)).rows,
          async copyOut(select, onChunk) {
            const stream = client.query(to(`COPY (${select}) TO STDOUT`));
            for await (const chunk of stream) await onChunk(chunk as Buffer);
          },
          async copyIn(table, columns, lines) {
            const sink = client.query(
              from(`COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`),
            );
            await pipeline(
              Readable.from(
                (async function* () {
                  for await (const line of lines) yield `${line}\n`;
                })(),
              ),
              sink,
            );
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    close: () => client.end(),
  };
}

/** Opens the store a spec names for a dump or a load (never migrates; the caller decides). */
export function openCopyEngine(spec: DatabaseSpec): Promise<CopyEngine> {
  if (spec.kind === 'memory')
    throw new CliError(
      '--db memory is a store that lives inside one server process: nothing to open here',
      EXIT.usage,
    );
  return spec.kind === 'file' ? openPgliteEngine(spec.path) : openPostgresEngine(spec.url);
}
