// Admin API tokens: a CSPRNG secret with a recognisable prefix, shown once; only its sha-256 is
// stored. A slow password hash (scrypt) protects low-entropy secrets people choose; these are
// 256 random bits, so no amount of hashing speed makes guessing feasible, and a fast hash lets
// every request be authenticated by one indexed lookup of the digest.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type AdminRecords, type AdminScope, type AdminTokenRecord, adminRecords } from '../store/sql/admin';
import type { Queryable } from '../store/types';

/** Every admin secret starts with this, so a leaked one is easy to recognise (and to scan for). */
export const ADMIN_TOKEN_PREFIX = 'kamiadm_';
const SECRET_PATTERN = /^kamiadm_[A-Za-z0-9_-]{43}$/;

export function hashAdminSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newAdminSecret(): string {
  return ADMIN_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export interface CreateAdminTokenInput {
  name: string;
  scope: AdminScope;
  /** App ids or names the token is limited to; omitted = every app. */
  apps?: string[] | undefined;
}

/**
 * Creates an admin token; returns its record and the secret (the only time it is seen). Works on
 * the store opened directly (`kami` CLI) as well as inside the server. Unknown app ids/names throw.
 */
export async function createAdminToken(
  db: Queryable,
  input: CreateAdminTokenInput,
  nowMs: number = Date.now(),
): Promise<{ token: AdminTokenRecord; secret: string }> {
  const name = input.name.trim();
  if (name === '') throw new RangeError('a token needs a name');
  if (input.scope !== 'read' && input.scope !== 'full')
    throw new RangeError('scope must be "read" or "full"');
  let apps: string[] | null = null;
  if (input.apps !== undefined) {
    apps = [];
    for (const ref of input.apps) {
      const res = await db.query<{ id: string }>('SELECT id FROM apps WHERE id = $1 OR name = $1', [ref]);
      const id = res.rows[0]?.id;
      if (id === undefined) throw new RangeError(`no app with id or name ${JSON.stringify(ref)}`);
      apps.push(String(id));
    }
  }
  const secret = newAdminSecret();
  const token: AdminTokenRecord = {
    id: randomBytes(8).toString('hex'),
    name,
    hash: hashAdminSecret(secret),
    scope: input.scope,
    apps,
    createdAt: nowMs,
    revokedAt: null,
  };
  await adminRecords(db).insertToken(token);
  return { token, secret };
}

/** Lists tokens (never their secrets). */
export function listAdminTokens(db: Queryable): Promise<AdminTokenRecord[]> {
  return adminRecords(db).listTokens();
}

/** Revokes by id or name; returns how many were revoked. */
export async function revokeAdminToken(
  db: Queryable,
  idOrName: string,
  nowMs: number = Date.now(),
): Promise<number> {
  return (await adminRecords(db).revokeToken(idOrName, nowMs)).length;
}

/** Verified tokens are remembered this long: a revocation takes effect within it on other processes. */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 1_000;

/** Looks a presented secret up (by digest), compares in constant time, caches briefly. */
export class AdminTokenVerifier {
  private readonly cache = new Map<string, { token: AdminTokenRecord | undefined; until: number }>();

  constructor(
    private readonly records: () => AdminRecords,
    private readonly now: () => number,
  ) {}

  async verify(secret: string): Promise<AdminTokenRecord | undefined> {
    if (!SECRET_PATTERN.test(secret)) return undefined;
    const hash = hashAdminSecret(secret);
    const now = this.now();
    const hit = this.cache.get(hash);
    let token: AdminTokenRecord | undefined;
    if (hit && hit.until > now && hit.token) token = hit.token;
    else {
      token = await this.records().findToken(hash);
      // Only known tokens are cached: a guesser cannot fill the cache.
      if (token) {
        if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
        this.cache.set(hash, { token, until: now + TOKEN_CACHE_MS });
      }
    }
    if (!token || token.revokedAt !== null) return undefined;
    // The lookup was by digest; compare it in constant time anyway (defence in depth).
    const a = Buffer.from(token.hash, 'hex');
    const b = Buffer.from(hash, 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? token : undefined;
  }

  /** Drops cached tokens (after a revocation in this process). */
  forget(): void {
    this.cache.clear();
  }
}
