// `backup FILE` and `restore FILE`: the whole store to one file and back, offline (the store is
// opened directly; the embedded store must not be held by a running server).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeDatabase } from '../config/database';
import { openDatabase } from '../store/index';
import type { DatabaseSpec } from '../store/spec';
import { dump } from './backup/dump';
import { type CopyEngine, openCopyEngine } from './backup/engines';
import { checkBackupFile, load } from './backup/load';
import type { CliContext } from './context';
import { CliError, EXIT, usageError } from './exit-codes';
import { type FormatFlags, formatOf, renderRows } from './output';
import { progress } from './progress';
import { type StoreFlags, storeError, storeOptions, storeSpec } from './store-target';

interface BackupFlags extends StoreFlags, FormatFlags {
  force?: boolean;
  progress: boolean;
}

async function withEngine<T>(spec: DatabaseSpec, fn: (engine: CopyEngine) => Promise<T>): Promise<T> {
  let engine: CopyEngine;
  try {
    engine = await openCopyEngine(spec);
  } catch (error) {
    throw storeError(error, spec);
  }
  try {
    return await fn(engine);
  } catch (error) {
    throw storeError(error, spec);
  } finally {
    await engine.close().catch(() => {});
  }
}

const TABLE_COLUMNS = [
  { key: 'name', header: 'table' },
  { key: 'rows' },
  { key: 'checksum', header: 'checksum (sha256 sum)' },
];

export function registerBackup(program: Command, ctx: CliContext): void {
  const backup = program
    .command('backup')
    .description('Write a consistent snapshot of the whole store to one file (gzip); works without a server')
    .argument('<file>', 'the backup file to write (refused if it exists, unless --force)');
  for (const o of storeOptions()) backup.addOption(o);
  backup
    .option('--force', 'overwrite an existing file')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--json', 'print the summary as JSON')
    .option('--csv', 'print the summary as CSV')
    .action(async (file: string, flags: BackupFlags) => {
      const format = formatOf(flags);
      const spec = storeSpec(flags, ctx.env);
      const target = resolve(file);
      if (existsSync(target) && !flags.force)
        throw usageError(`<file>: ${target} exists (pass --force to overwrite it)`);
      const result = await withEngine(spec, (engine) =>
        dump(engine, target, (total) => progress('backup', total, ctx.tty && flags.progress)),
      );
      if (format === 'json') ctx.out(`${JSON.stringify(result, null, 2)}\n`);
      else ctx.out(renderRows(result.tables, TABLE_COLUMNS, format));
      ctx.note(
        `backup of ${describeDatabase(spec)} written to ${target} (${result.bytes} bytes, ` +
          `${result.tables.reduce((n, t) => n + t.rows, 0)} rows, schema migrations ${result.migrations.join(',')})\n`,
      );
    });

  const restore = program
    .command('restore')
    .description('Load a backup into an empty store, verified table by table; works without a server')
    .argument('<file>', 'a file written by backup');
  for (const o of storeOptions()) restore.addOption(o);
  restore
    .option('--force', 'replace what a non-empty store holds')
    .option('--no-progress', 'no progress bar even on a terminal')
    .option('--json', 'print the summary as JSON')
    .option('--csv', 'print the summary as CSV')
    .action(async (file: string, flags: BackupFlags) => {
      const format = formatOf(flags);
      const spec = storeSpec(flags, ctx.env);
      const source = resolve(file);
      if (!existsSync(source)) throw new CliError(`<file>: ${source} does not exist`, EXIT.notFound);
      await checkBackupFile(source);
      // Creates (or migrates) the target first, exactly as a server start would.
      try {
        await (await openDatabase(spec)).close();
      } catch (error) {
        throw storeError(error, spec);
      }
      const result = await withEngine(spec, (engine) =>
        load(engine, source, {
          force: flags.force === true,
          makeProgress: (bytes) => progress('restore', bytes, ctx.tty && flags.progress),
        }),
      );
      if (format === 'json')
        ctx.out(`${JSON.stringify({ ...result, target: describeDatabase(spec) }, null, 2)}\n`);
      else ctx.out(renderRows(result.tables, TABLE_COLUMNS, format));
      ctx.note(
        `restored ${source} (taken ${result.header.createdAt} from ${result.header.engine}) into ${describeDatabase(spec)}: ` +
          `every table verified (row count and checksum)${result.replaced > 0 ? `; ${result.replaced} rows it held before were replaced` : ''}\n`,
      );
    });
}
