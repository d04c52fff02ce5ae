// The embedded store's data directory: one process at a time, and a first start that either
// completes or leaves nothing behind.
//
// - The lock is a file beside the directory (`<dir>.lock`, created atomically) holding the
//   owner's pid and host. PGlite has no lock of its own: two processes on one directory each
//   keep their own memory and overwrite each other's writes. A lock whose process is gone (same
//   host, pid not running) is stale and taken over, so a crash never blocks a restart.
// - A new directory is initialised under a temporary sibling name and renamed into place only
//   once it holds a migrated database, so a kill during the first start leaves either no
//   directory (the next start initialises again) or a complete one.
import { randomBytes } from 'node:crypto';
import { linkSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: { pid: number; host: string },
  ) {
    super(
      `the data directory ${dir} is in use by process ${owner.pid} on ${owner.host} (lock file ${lockPath(dir)}). ` +
        'Stop that server first; several server processes need PostgreSQL (--db postgres://…), not the embedded store.',
    );
    this.name = 'DataDirLockedError';
  }
}

export const lockPath = (dir: string) => `${dir}.lock`;

function readOwner(path: string): { pid: number; host: string } | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
    if (typeof owner.pid === 'number' && typeof owner.host === 'string')
      return { pid: owner.pid, host: owner.host };
  } catch {
    // Unreadable or half-written: treated as stale below.
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock or throws {@link DataDirLockedError}; returns its release. */
export function lockDataDir(dir: string): () => void {
  const path = lockPath(dir);
  // Written aside and linked into place: the lock appears whole, never half-written.
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(
    draft,
    JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }),
    {
      mode: 0o600,
    },
  );
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(draft, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = readOwner(path);
        const stale =
          owner === undefined ||
          (owner.host === hostname() && owner.pid !== process.pid && !isRunning(owner.pid));
        if (!stale || attempt > 0) throw new DataDirLockedError(dir, owner ?? { pid: 0, host: 'unknown' });
        // A dead owner's lock: remove it and try once more (a racing starter may win; then we refuse).
        rmSync(path, { force: true });
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Only our own lock: never one that a later owner took over.
    if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/** A fresh sibling path to initialise into before the rename. */
export function initPath(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.init-${randomBytes(4).toString('hex')}`);
}

/** Removes what killed first starts left behind (called under the lock). */
export function removeAbandonedInits(dir: string): void {
  const prefix = `.${basename(dir)}.init-`;
  let names: string[];
  try {
    names = readdirSync(dirname(dir));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix)) rmSync(join(dirname(dir), name), { recursive: true, force: true });
  }
}
