// `kami backup`: one consistent snapshot (a REPEATABLE READ, read-only transaction) of every table,
// written to a temporary file beside the target and renamed into place only once complete.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Progress } from '../progress';
import { appliedMigrations, countRows, listTables } from './catalog';
import { type CopyEngine, quoteIdent } from './engines';
import {
  type BackupHeader,
  type BackupTrailer,
  END_OF_TABLE,
  FORMAT,
  FORMAT_VERSION,
  RowSum,
  type TableSummary,
} from './format';

export interface DumpResult {
  file: string;
  engine: string;
  migrations: number[];
  tables: TableSummary[];
  bytes: number;
}

export async function dump(
  engine: CopyEngine,
  file: string,
  makeProgress: (total: number) => Progress,
): Promise<DumpResult> {
  const partial = join(dirname(file), `.${basename(file)}.partial-${randomBytes(4).toString('hex')}`);
  const out = createWriteStream(partial, { mode: 0o600 }); // it holds every app's keys
  const gzip = createGzip();
  gzip.pipe(out);
  const write = (text: string | Buffer) =>
    gzip.write(text) ? undefined : new Promise<void>((r) => gzip.once('drain', () => r()));
  try {
    const { migrations, tables } = await engine.transaction('read', async (session) => {
      const migrations = await appliedMigrations(session);
      const tables = await listTables(session);
      let total = 0;
      for (const t of tables) total += await countRows(session, t.name);
      const bar = makeProgress(total);
      const header: BackupHeader = {
        format: FORMAT,
        version: FORMAT_VERSION,
        createdAt: new Date().toISOString(),
        engine: engine.engine,
        migrations,
      };
      await write(`${JSON.stringify(header)}\n`);
      const summaries: TableSummary[] = [];
      try {
        for (const table of tables) {
          await write(`${JSON.stringify({ table: table.name, columns: table.columns })}\n`);
          const sum = new RowSum();
          await session.copyOut(
            `SELECT ${table.columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table.name)}`,
            async (chunk) => {
              const before = sum.rows;
              sum.chunk(chunk);
              bar.tick(sum.rows - before);
              await write(chunk);
            },
          );
          await write(`${END_OF_TABLE}\n`);
          summaries.push(sum.summary(table.name));
        }
      } finally {
        bar.stop();
      }
      return { migrations, tables: summaries };
    });
    const trailer: BackupTrailer = { end: true, tables };
    await write(`${JSON.stringify(trailer)}\n`);
    gzip.end();
    await finished(out);
    await rename(partial, file);
    return { file, engine: engine.engine, migrations, tables, bytes: out.bytesWritten };
  } catch (error) {
    gzip.destroy();
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}
