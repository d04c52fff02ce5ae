// Cards' guarded writes, many in ONE statement (PostgreSQL's group commit, see store/coalescer.ts):
// each card's write happens only if its row still holds the state the decision was made on, so a
// card whose row moved on fails alone (and is read back in the same round trip) while the others
// commit. One statement text whatever the batch size (every column is an array), so it is
// prepared once per connection. A batch holds at most one write per card (the coalescer's key).
import type { CardRecord } from '../records';
import type { CardChange, SessionRecord } from '../storage';
import type { Queryable } from '../types';
import { CARD_COLUMNS, CARD_STATE, type CardRow } from './card-rows';
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

/** The card columns a guarded write compares (CARD_STATE's guarded ones). */
const GUARDED = CARD_STATE.filter((k) => k.guarded);

/**
 * The statement's input, one array per column (`v` below): the card and its tuple version, the
 * guard (the state the decision saw), the new state when the card changes, the session to start.
 */
const INPUT: ReadonlyArray<{ name: string; type: string; of: (w: GuardedCardWrite) => unknown }> = [
  { name: 'id', type: 'text', of: (w) => w.guard.id },
  { name: 'version', type: 'text', of: (w) => w.version ?? null },
  ...GUARDED.map((k) => ({
    name: `g_${k.column}`,
    type: k.type,
    of: (w: GuardedCardWrite) => k.of(w.guard),
  })),
  { name: 'changes', type: 'bool', of: (w) => w.change.card !== undefined },
  ...CARD_STATE.map((k) => ({
    name: `n_${k.column}`,
    type: k.type,
    of: (w: GuardedCardWrite) => (w.change.card ? k.of(w.change.card) : null),
  })),
  ...(
    [
      ['statecode', 'text', (s) => s.statecode],
      ['s_app_id', 'text', (s) => s.appId],
      ['s_imei', 'text', (s) => s.imei],
      ['s_expires_at', 'bigint', (s) => s.expiresAt],
      ['s_created_at', 'bigint', (s) => s.createdAt],
      ['s_token_hash', 'text', (s) => s.tokenHash ?? null],
    ] as const satisfies ReadonlyArray<readonly [string, string, (s: SessionRecord) => unknown]>
  ).map(([name, type, of]) => ({
    name,
    type,
    of: (w: GuardedCardWrite) => (w.change.session ? of(w.change.session) : null),
  })),
  {
    name: 'session_limit',
    type: 'int',
    of: (w) => (w.change.session && w.change.sessionLimit !== undefined ? w.change.sessionLimit : null),
  },
  { name: 'now_ms', type: 'bigint', of: (w) => w.nowMs },
];

/**
 * A guard holds while the row still has every guarded column as read, and the tuple version read
 * with them (xmin): any write to the row since, by any writer and to any column, fails it, so a
 * guard may come from a cache that is long stale.
 */
const GUARD_HOLDS = `ROW(${GUARDED.map((k) => `c.${k.column}`).join(', ')}) IS NOT DISTINCT FROM ROW(${GUARDED.map((k) => `v.g_${k.column}`).join(', ')})
    AND (v.version IS NULL OR c.xmin = v.version::xid)`;

const SQL = `${FLUSH_MARKER} WITH v AS MATERIALIZED (
  SELECT * FROM unnest(${INPUT.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})
    WITH ORDINALITY AS v(${INPUT.map((c) => c.name).join(', ')}, i)),
guard AS (
  SELECT c.id FROM cards c JOIN v ON c.id = v.id
  WHERE NOT v.changes AND ${GUARD_HOLDS}
  FOR KEY SHARE OF c),
changed_cards AS (
  UPDATE cards c SET ${CARD_STATE.map((k) => `${k.column} = v.n_${k.column}`).join(', ')}
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
  return INPUT.map((c) => items.map(c.of));
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
