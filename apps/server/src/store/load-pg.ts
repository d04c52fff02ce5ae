// `pg` is an optional peer dependency: only a PostgreSQL database (`--database-url`) needs it,
// the embedded store never does. Loaded on first use, with an error that says what to install.
import type pg from 'pg';

export class PgMissingError extends Error {
  constructor(cause: unknown) {
    super(
      'a PostgreSQL database (--db postgres://… or $DATABASE_URL) needs the `pg` package, which is not installed: ' +
        'run `npm install pg` next to @kami-verify/server (it is an optional peer dependency; the embedded store needs nothing)',
      { cause },
    );
    this.name = 'PgMissingError';
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The `pg` module, or {@link PgMissingError} when it is not installed. `load` is for tests. */
export async function loadPg(
  load: () => Promise<{ default: typeof pg }> = () => import('pg'),
): Promise<typeof pg> {
  try {
    return (await load()).default;
  } catch (error) {
    throw isModuleNotFound(error) ? new PgMissingError(error) : error;
  }
}
