import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { DatabaseSpec } from './spec';
import type { Database } from './types';

export { textArrayLiteral } from './array-literal';
export { migrate } from './migrate';
export { MIGRATIONS, type Migration } from './migrations';
export { migratedTemplate } from './pglite';
export type { Database, Queryable, QueryResult, Row } from './types';

/** Opens and migrates the database a {@link DatabaseSpec} names. */
export function openDatabase(spec: DatabaseSpec): Promise<Database> {
  switch (spec.kind) {
    case 'memory':
      return openPglite();
    case 'file':
      return openPglite(spec.path);
    case 'postgres':
      return openPostgres(spec.url);
  }
}
