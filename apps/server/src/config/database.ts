// `--db` / `startServer({ db })`: one string names the store.
import { resolve } from 'node:path';
import type { DatabaseSpec } from '../store/spec';

/** Where the embedded store lives when nothing else is said. */
export const DEFAULT_DATA_DIR = '.kami-data/pglite';

/** `'memory'`, a `postgres://` / `postgresql://` URL, or a path for the embedded store. */
export function parseDatabaseSpec(
  value: DatabaseSpec | string | undefined,
  env: Record<string, string | undefined> = process.env,
): DatabaseSpec {
  if (typeof value === 'object') return value;
  const text = value ?? env.DATABASE_URL;
  if (text === undefined || text === '') return { kind: 'file', path: resolve(DEFAULT_DATA_DIR) };
  if (text === 'memory' || text === ':memory:') return { kind: 'memory' };
  if (/^postgres(ql)?:\/\//i.test(text)) return { kind: 'postgres', url: text };
  return { kind: 'file', path: resolve(text) };
}

/** A DatabaseSpec for logs and banners: never the password of a postgres URL. */
export function describeDatabase(spec: DatabaseSpec): string {
  if (spec.kind === 'memory') return 'memory (embedded, discarded on exit)';
  if (spec.kind === 'file') return `embedded PGlite at ${spec.path}`;
  try {
    const url = new URL(spec.url);
    if (url.password) url.password = '****';
    return `PostgreSQL ${url.toString()}`;
  } catch {
    return 'PostgreSQL';
  }
}
