// `kami restore`: a backup into an empty store, in one transaction that commits only once every
// table, copied out again, has the row count and checksum the backup recorded.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { MIGRATIONS } from '../../store/migrations';
import { CliError, EXIT } from '../exit-codes';
import type { Progress } from '../progress';
import { appliedMigrations, countRows, listTables } from './catalog';
import { type CopyEngine, quoteIdent } from './engines';
import {
  type BackupHeader,
  type BackupTrailer,
  END_OF_TABLE,
  parseHeader,
  RowSum,
  type TableHeader,
  type TableSummary,
} from './format';

export interface LoadResult {
  header: BackupHeader;
  tables: TableSummary[];
  /** Rows that were in the target and were replaced (--force). */
  replaced: number;
}

export interface LoadOptions {
  force: boolean;
  makeProgress: (totalBytes: number) => Progress;
}

const damaged = (what: string) => new CliError(`the backup file is damaged: ${what}`, EXIT.failure);

function parseLine<T>(line: string | undefined, what: string): T {
  try {
    return JSON.parse(line ?? '') as T;
  } catch {
    throw damaged(
      `expected ${what}, found ${line === undefined ? 'the end of the file' : JSON.stringify(line.slice(0, 60))}`,
    );
  }
}

/** The header, checked: a kami backup this version can read, of a schema it knows. */
function validHeader(line: string | undefined, file: string): BackupHeader {
  let header: BackupHeader;
  try {
    header = parseHeader(line);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, EXIT.usage);
  }
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const unknown = header.migrations.filter((v) => !known.has(v));
  if (unknown.length > 0)
    throw new CliError(
      `the backup was taken by a newer kami (schema migrations ${unknown.join(', ')} are unknown here): upgrade this kami first`,
      EXIT.failure,
    );
  return header;
}

/** Reads and checks only the header, before anything is opened or created. */
export async function checkBackupFile(file: string): Promise<BackupHeader> {
  const raw = createReadStream(file);
  const gunzip = createGunzip();
  gunzip.on('error', () => {});
  const lines = createInterface({ input: raw.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    const first = await new Promise<string | undefined>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(undefined));
      lines.once('error', () => resolve(undefined));
      gunzip.once('error', () => resolve(undefined));
    });
    return validHeader(first, file);
  } finally {
    lines.close();
    raw.destroy();
  }
}

export async function load(engine: CopyEngine, file: string, options: LoadOptions): Promise<LoadResult> {
  const size = (await stat(file)).size;
  const raw = createReadStream(file);
  const bar = options.makeProgress(size);
  raw.on('data', (chunk) => bar.tick(chunk.length));
  const gunzip = createGunzip();
  let streamError: Error | undefined;
  gunzip.on('error', (e) => {
    streamError = e;
  });
  raw.pipe(gunzip);
  const lines = createInterface({ input: gunzip, crlfDelay: Number.POSITIVE_INFINITY })[
    Symbol.asyncIterator
  ]();
  const next = async (): Promise<string | undefined> => {
    let r: IteratorResult<string>;
    try {
      r = await lines.next();
    } catch (error) {
      throw damaged((error as Error).message);
    }
    if (streamError) throw damaged(streamError.message);
    return r.done ? undefined : r.value;
  };
  try {
    const header = validHeader(await next().catch(() => undefined), file);

    return await engine.transaction('write', async (session) => {
      const applied = new Set(await appliedMigrations(session));
      if (header.migrations.some((v) => !applied.has(v)))
        throw new CliError('the target store is not migrated to the backup’s schema', EXIT.failure);
      const targets = new Map((await listTables(session)).map((t) => [t.name, t]));
      let replaced = 0;
      const filled: string[] = [];
      for (const name of targets.keys()) {
        const n = await countRows(session, name);
        if (n > 0) filled.push(`${name} ${n}`);
        replaced += n;
      }
      if (filled.length > 0 && !options.force)
        throw new CliError(
          `the target store is not empty (rows: ${filled.join(', ')}). Restore into an empty store ` +
            '(a new data directory or database), or pass --force to replace what it holds.',
          EXIT.failure,
        );
      if (filled.length > 0)
        await session.query(`TRUNCATE ${[...targets.keys()].map(quoteIdent).join(', ')}`);

      const seen = new Map<string, TableSummary>();
      const columnsOf = new Map<string, string[]>();
      let trailer: BackupTrailer | undefined;
      for (let line = await next(); line !== undefined; line = await next()) {
        if (trailer) throw damaged('data after the end marker');
        const item = parseLine<Partial<TableHeader & BackupTrailer>>(line, 'a table or the end marker');
        if (item.end === true) {
          trailer = item as BackupTrailer;
          continue;
        }
        const { table, columns } = item;
        if (typeof table !== 'string' || !Array.isArray(columns))
          throw damaged(`unexpected line ${line.slice(0, 60)}`);
        const target = targets.get(table);
        if (!target)
          throw new CliError(`the backup has a table "${table}" that this store does not`, EXIT.failure);
        const absent = columns.filter((c) => !target.columns.includes(c));
        if (absent.length > 0)
          throw new CliError(
            `table ${table}: the backup has columns this store does not (${absent.join(', ')})`,
            EXIT.failure,
          );
        const sum = new RowSum();
        await session.copyIn(table, columns, {
          async *[Symbol.asyncIterator]() {
            for (let row = await next(); ; row = await next()) {
              if (row === undefined) throw damaged(`it ends inside table ${table}`);
              if (row === END_OF_TABLE) return;
              sum.line(row);
              yield row;
            }
          },
        });
        seen.set(table, sum.summary(table));
        columnsOf.set(table, columns);
      }
      if (!trailer) throw damaged('it has no end marker (truncated?)');
      for (const expected of trailer.tables) {
        const read = seen.get(expected.name);
        if (!read || read.rows !== expected.rows || read.checksum !== expected.checksum)
          throw damaged(
            `table ${expected.name}: ${read?.rows ?? 0} rows read, ${expected.rows} recorded, or its checksum differs`,
          );
      }
      // What the store now holds, copied out again, must be what the backup recorded.
      for (const expected of trailer.tables) {
        const sum = new RowSum();
        const columns = columnsOf.get(expected.name)!;
        await session.copyOut(
          `SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(expected.name)}`,
          (c) => sum.chunk(c),
        );
        const got = sum.summary(expected.name);
        if (got.rows !== expected.rows || got.checksum !== expected.checksum)
          throw new CliError(
            `verification failed for table ${expected.name}: ${got.rows} rows restored, ${expected.rows} in the backup ` +
              `(checksums ${got.checksum.slice(0, 12)}… vs ${expected.checksum.slice(0, 12)}…); nothing was changed`,
            EXIT.failure,
          );
      }
      return { header, tables: trailer.tables, replaced };
    });
  } finally {
    bar.stop();
    lines.return?.();
    raw.destroy();
  }
}
