// Cards' guarded writes, many in ONE statement (PostgreSQL's group commit, see store/coalescer.ts):
// each card's write happens only if its row still holds the state the decision was made on, so a
// card whose row moved on fails alone (and is read back in the same round trip) while the others
// commit. One statement text whatever the batch size (every column is an array), so it is
// prepared once per connection. A batch holds at most one write per card (the coalescer's key).
import type { CardRecord } from '../records';
import type { CardChange, SessionRecord } from '../storage';
import type { Queryable } from '../types';
import { CARD_COLUMNS, type CardRow } from './card-rows';
import { FLUSH_MARKER } from './card-writes';

export interface GuardedWrite {
  passed: boolean;
  /** The row's tuple version after the write, when the card changed (for the next guard). */
  version?: string | undefined;
  /**
   * When the guard failed: the card as this statement's snapshot saw it (null: no such card), so
   * the caller decides again without another read. The snapshot may predate a writer that
   * committed during the statement; the next guarded write then fails and brings a newer one.
   */
  current?: (CardRow & { version: string }) | null;
}

/**
 * The mutable columns of a card row (what a write changes): a guarded write proceeds only while
 * they still hold what was read. The tuple version (xmin) read with them is compared too: any
 * write to the row since, by any writer and to any column, fails the guard, so a guard may come
 * from a cache that is long stale.
 */
const GUARD_ROW = `ROW(c.imei, c.bound_ip, c.activated_at, c.expires_at, c.uses_left, c.change_count, c.disabled, c.status, c.modified_at, c.bound_region)`;
const guardParams = (g: CardRecord): unknown[] => [
  g.imei,
  g.boundIp,
  g.activatedAt,
  g.expiresAt,
  g.usesLeft,
  g.change,
  g.disabled,
  g.status,
  g.modifiedAt,
  g.boundRegion,
];

/** One card's write: what withCard's optimistic path decided on the card as `guard`. */
export interface GuardedCardWrite {
  /** The card as the decision saw it; the write happens only if the row still holds it. */
  guard: CardRecord;
  /** The row's tuple version read with `guard` (xmin), compared too when known. */
  version?: string | undefined;
  /**
   * The card's new state and a session to start, as decided (the card's expired sessions are
   * dropped with a new one). Ending sessions is not batched: it takes the card's row lock.
   */
  change: Omit<CardChange, 'endSessions'>;
  /** ms: what counts as expired. */
  nowMs: number;
}

const GUARD_OF = (alias: string) =>
  `ROW(${alias}.g_imei, ${alias}.g_bound_ip, ${alias}.g_activated_at, ${alias}.g_expires_at, ${alias}.g_uses_left, ${alias}.g_change_count, ${alias}.g_disabled, ${alias}.g_status, ${alias}.g_modified_at, ${alias}.g_bound_region)`;
const GUARD_HOLDS = `${GUARD_ROW} IS NOT DISTINCT FROM ${GUARD_OF('v')} AND (v.version IS NULL OR c.xmin = v.version::xid)`;

const SQL = `${FLUSH_MARKER} WITH v AS MATERIALIZED (
  SELECT * FROM unnest(
    $1::text[], $2::text[],
    $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::int[], $8::int[], $9::bool[], $10::smallint[], $11::bigint[], $12::text[],
    $13::bool[],
    $14::text[], $15::text[], $16::bigint[], $17::bigint[], $18::int[], $19::int[], $20::bool[], $21::smallint[], $22::bigint[], $23::int[], $24::text[], $25::text[],
    $26::text[], $27::text[], $28::text[], $29::bigint[], $30::bigint[], $31::text[], $32::int[], $33::bigint[]
  ) WITH ORDINALITY AS v(
    id, version,
    g_imei, g_bound_ip, g_activated_at, g_expires_at, g_uses_left, g_change_count, g_disabled, g_status, g_modified_at, g_bound_region,
    changes,
    n_imei, n_bound_ip, n_activated_at, n_expires_at, n_uses_left, n_change_count, n_disabled, n_status, n_modified_at, n_uses_total, n_core, n_bound_region,
    statecode, s_app_id, s_imei, s_expires_at, s_created_at, s_token_hash, session_limit, now_ms,
    i)),
guard AS (
  SELECT c.id FROM cards c JOIN v ON c.id = v.id
  WHERE NOT v.changes AND ${GUARD_HOLDS}
  FOR KEY SHARE OF c),
changed_cards AS (
  UPDATE cards c SET imei = v.n_imei, bound_ip = v.n_bound_ip, activated_at = v.n_activated_at,
    expires_at = v.n_expires_at, uses_left = v.n_uses_left, change_count = v.n_change_count,
    disabled = v.n_disabled, status = v.n_status, modified_at = v.n_modified_at,
    uses_total = v.n_uses_total, core = v.n_core, bound_region = v.n_bound_region
  FROM v
  WHERE c.id = v.id AND v.changes AND ${GUARD_HOLDS}
  RETURNING c.id, c.xmin::text AS version),
passed AS (SELECT id, NULL::text AS version FROM guard UNION ALL SELECT id, version FROM changed_cards),
live AS (SELECT v.* FROM v JOIN passed p ON p.id = v.id WHERE v.statecode IS NOT NULL),
ended AS (
  -- The card's expired sessions, and its live ones beyond the newest session_limit - 1 (the new
  -- one makes session_limit): one pass over the card's sessions.
  DELETE FROM sessions WHERE statecode IN (
    SELECT x.statecode FROM live v CROSS JOIN LATERAL (
      SELECT statecode, expires_at <= v.now_ms AS expired,
        row_number() OVER (ORDER BY expires_at > v.now_ms DESC, created_at DESC, statecode DESC) AS rank
      FROM sessions WHERE card_id = v.id AND statecode <> v.statecode) x
    WHERE x.expired OR x.rank >= v.session_limit)),
started AS (
  INSERT INTO sessions (statecode, card_id, app_id, imei, expires_at, created_at, token_hash)
  SELECT v.statecode, v.id, v.s_app_id, v.s_imei, v.s_expires_at, v.s_created_at, v.s_token_hash FROM live v
  ON CONFLICT (statecode) DO UPDATE SET expires_at = EXCLUDED.expires_at, imei = EXCLUDED.imei,
    token_hash = COALESCE(EXCLUDED.token_hash, sessions.token_hash))
SELECT p.id IS NOT NULL AS passed, p.version,
  CASE WHEN p.id IS NULL THEN (SELECT row_to_json(x) FROM (
    SELECT ${CARD_COLUMNS}, xmin::text AS version FROM cards WHERE id = v.id) x) END AS current
FROM v LEFT JOIN passed p ON p.id = v.id ORDER BY v.i`;

function params(items: readonly GuardedCardWrite[]): unknown[] {
  const col = <T>(f: (w: GuardedCardWrite) => T) => items.map(f);
  const guards = items.map((w) => guardParams(w.guard));
  const guardCol = (k: number) => guards.map((g) => g[k]);
  const next = (f: (c: CardRecord) => unknown) => col((w) => (w.change.card ? f(w.change.card) : null));
  const session = (f: (s: SessionRecord) => unknown) =>
    col((w) => (w.change.session ? f(w.change.session) : null));
  return [
    col((w) => w.guard.id),
    col((w) => w.version ?? null),
    ...Array.from({ length: 10 }, (_, k) => guardCol(k)),
    col((w) => w.change.card !== undefined),
    next((c) => c.imei),
    next((c) => c.boundIp),
    next((c) => c.activatedAt),
    next((c) => c.expiresAt),
    next((c) => c.usesLeft),
    next((c) => c.change),
    next((c) => c.disabled),
    next((c) => c.status),
    next((c) => c.modifiedAt),
    // kami_recharge raises a count card's total; modify_core rewrites core.
    next((c) => c.usesTotal),
    next((c) => c.core),
    next((c) => c.boundRegion),
    session((s) => s.statecode),
    session((s) => s.appId),
    session((s) => s.imei),
    session((s) => s.expiresAt),
    session((s) => s.createdAt),
    session((s) => s.tokenHash ?? null),
    col((w) => (w.change.session && w.change.sessionLimit !== undefined ? w.change.sessionLimit : null)),
    col((w) => w.nowMs),
  ];
}

/**
 * Writes every item whose guard holds, in one statement; answers per item, in order: passed (with
 * the row's new version when the card changed), or the card as the statement saw it (null: no
 * such card) to decide again on.
 */
export async function writeGuardedBatch(
  db: Queryable,
  items: readonly GuardedCardWrite[],
): Promise<GuardedWrite[]> {
  // In card id order, so that two processes' batches lock the rows they share in one order (no
  // deadlock between them, as far as the plan follows the input's order).
  const sorted = [...items].sort((a, b) => (a.guard.id < b.guard.id ? -1 : a.guard.id > b.guard.id ? 1 : 0));
  const res = await db.query<{ passed: unknown; version: string | null; current: unknown }>(
    SQL,
    params(sorted),
  );
  if (res.rows.length !== items.length)
    throw new Error(`guarded batch answered ${res.rows.length} rows for ${items.length} writes`);
  const answers = new Map<GuardedCardWrite, GuardedWrite>();
  for (const [i, row] of res.rows.entries()) {
    const current = row.current;
    answers.set(
      sorted[i] as GuardedCardWrite,
      row.passed === true || row.passed === 't'
        ? { passed: true, version: row.version ?? undefined }
        : {
            passed: false,
            current: (typeof current === 'string'
              ? JSON.parse(current)
              : (current ?? null)) as GuardedWrite['current'],
          },
    );
  }
  return items.map((item) => answers.get(item) as GuardedWrite);
}
