// The store an offline command opens directly (tokens create, backup, restore): named like
// kami-server's `--db`, or by `--data-dir` / `--database-url` when a script wants to be explicit.
import { Option } from 'commander';
import { describeDatabase, parseDatabaseSpec } from '../config/database';
import { DataDirLockedError } from '../store/data-dir';
import type { DatabaseSpec } from '../store/spec';
import { CliError, EXIT, usageError } from './exit-codes';

export interface StoreFlags {
  db?: string;
  dataDir?: string;
  databaseUrl?: string;
}

export const storeOptions = (): Option[] => [
  new Option(
    '--db <spec>',
    'memory | a directory for the embedded store | postgres://… (default: $DATABASE_URL, else ./.kami-data/pglite)',
  ),
  new Option('--data-dir <dir>', 'the embedded store’s data directory (same as --db <dir>)'),
  new Option('--database-url <url>', 'a PostgreSQL URL (same as --db <url>)'),
];

export function storeSpec(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): DatabaseSpec {
  const given = (['db', 'dataDir', 'databaseUrl'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) throw usageError('--db, --data-dir and --database-url name the same thing: give one');
  if (flags.db === '') throw usageError('--db must not be empty');
  if (flags.dataDir !== undefined) {
    if (flags.dataDir === '' || /^postgres(ql)?:\/\//i.test(flags.dataDir))
      throw usageError('--data-dir must be a directory path (use --database-url for PostgreSQL)');
    return parseDatabaseSpec(flags.dataDir === 'memory' ? `./${flags.dataDir}` : flags.dataDir, env);
  }
  if (flags.databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//i.test(flags.databaseUrl))
      throw usageError('--database-url must be a postgres:// or postgresql:// URL');
    return { kind: 'postgres', url: flags.databaseUrl };
  }
  return parseDatabaseSpec(flags.db, env);
}

/** Driver and lock errors of opening a store, as messages that say what to do. */
export function storeError(error: unknown, spec: DatabaseSpec): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof DataDirLockedError)
    return new CliError(
      `the embedded store ${error.dir} is in use by process ${error.owner.pid} on ${error.owner.host} ` +
        '(a running kami-server). The embedded store allows one process at a time: stop that server ' +
        `(kill -TERM ${error.owner.pid}), run this command, then start it again. ` +
        'Against a running server use the admin API instead (kami --url …); on PostgreSQL, offline ' +
        'commands run while servers run.',
      EXIT.storeInUse,
    );
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    spec.kind === 'postgres' &&
    (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNRESET'].includes(String(code)) ||
      /DatabaseUnavailable|the database is unavailable/.test(message))
  )
    return new CliError(`cannot reach ${describeDatabase(spec)}: ${message}`, EXIT.unreachable);
  if (code === '28P01' || code === '28000')
    return new CliError(`${describeDatabase(spec)} refused the login: ${message}`, EXIT.auth);
  if (code === '3D000') return new CliError(`${describeDatabase(spec)}: ${message}`, EXIT.notFound);
  return new CliError(`${describeDatabase(spec)}: ${message}`, EXIT.failure);
}
