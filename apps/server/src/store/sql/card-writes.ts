// Changes to cards and sessions written as ONE statement (data-modifying CTEs): atomic on its
// own, so no BEGIN/COMMIT round trips. The embedded store writes a whole group-commit batch this
// way; PostgreSQL writes a locked decision with it (the guarded, batched writes of logins are
// sql/card-write-batch.ts). Every part is a
// multi-row unnest, whatever the number of rows, and only the parts a write needs are included
// (an empty part still costs planning time). The parts never touch the same row twice.
import type { CardRecord } from '../records';
import type { NewCard, SessionRecord } from '../storage';
import type { Queryable } from '../types';
import { CARD_STATE, num } from './card-rows';

/** Tests recognise the statement by this marker (fault injection, counting flushes). */
export const FLUSH_MARKER = '/* kami:flush */';

export interface CardWrites {
  /** New cards; an existing card string is skipped. */
  newCards?: readonly NewCard[];
  /** Cards' new states (by id). */
  cards?: readonly CardRecord[];
  /** Sessions to end, by statecode. */
  endStatecodes?: readonly string[];
  /** Cards whose every session ends. */
  endCardSessions?: readonly string[];
  /** Sessions to start or renew (upsert). */
  sessions?: readonly SessionRecord[];
  /** Sessions whose expiry moves (they exist; a vanished one is skipped). */
  renewals?: ReadonlyArray<{ statecode: string; expiresAt: number }>;
  /** Housekeeping: delete these cards' sessions expired at `nowMs`, except the ones started here. */
  dropExpired?: { cardIds: readonly string[]; nowMs: number };
  /** Beyond `limit` live sessions of the card (counting `keep`, just started), the oldest end. */
  sessionLimit?: { cardId: string; limit: number; keep: string; nowMs: number };
}

interface Part {
  name: string;
  /** SQL with `$n` numbered from 1 within the part. */
  sql: string;
  params: unknown[];
}

function parts(w: CardWrites): Part[] {
  const out: Part[] = [];
  const n = w.newCards ?? [];
  if (n.length > 0) {
    out.push({
      name: 'new_cards',
      sql: `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, uses_total, uses_left, core, created_ip, created_at, modified_at)
        SELECT v.id, v.app_id, v.card_str, v.kind, v.type, v.duration_seconds, v.uses, v.uses, v.core, v.ip, v.now, v.now
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[], $7::int[],
                    $8::text[], $9::text[], $10::bigint[])
          AS v(id, app_id, card_str, kind, type, duration_seconds, uses, core, ip, now)
        ON CONFLICT (app_id, card_str) DO NOTHING
        RETURNING id`,
      params: [
        n.map((x) => x.id),
        n.map((x) => x.appId),
        n.map((x) => x.cardStr),
        n.map((x) => x.kind),
        n.map((x) => x.type),
        n.map((x) => x.durationSeconds),
        n.map((x) => x.uses),
        n.map((x) => x.core),
        n.map((x) => x.createdIp),
        n.map((x) => x.nowMs),
      ],
    });
  }
  const c = w.cards ?? [];
  if (c.length > 0) {
    out.push({
      name: 'changed_cards',
      sql: `UPDATE cards c SET ${CARD_STATE.map((k) => `${k.column} = v.${k.column}`).join(', ')}
        FROM unnest($1::text[], ${CARD_STATE.map((k, i) => `$${i + 2}::${k.type}[]`).join(', ')})
          AS v(id, ${CARD_STATE.map((k) => k.column).join(', ')})
        WHERE c.id = v.id
        RETURNING c.id`,
      params: [c.map((x) => x.id), ...CARD_STATE.map((k) => c.map(k.of))],
    });
  }
  if (w.endStatecodes?.length) {
    out.push({
      name: 'ended',
      sql: `DELETE FROM sessions WHERE statecode = ANY($1::text[])`,
      params: [w.endStatecodes],
    });
  }
  if (w.endCardSessions?.length) {
    out.push({
      name: 'ended_cards',
      sql: `DELETE FROM sessions WHERE card_id = ANY($1::text[])`,
      params: [w.endCardSessions],
    });
  }
  const started = w.sessions ?? [];
  if (w.dropExpired?.cardIds.length) {
    out.push({
      name: 'expired',
      sql: `DELETE FROM sessions WHERE card_id = ANY($1::text[]) AND expires_at <= $2 AND NOT statecode = ANY($3::text[])`,
      params: [w.dropExpired.cardIds, w.dropExpired.nowMs, started.map((s) => s.statecode)],
    });
  }
  if (w.sessionLimit) {
    const { cardId, limit, keep, nowMs } = w.sessionLimit;
    out.push({
      name: 'over_limit',
      // Live sessions only, so it never meets a row the `expired` part deletes.
      sql: `DELETE FROM sessions WHERE statecode IN (
          SELECT statecode FROM sessions WHERE card_id = $1 AND expires_at > $2 AND statecode <> $3
          ORDER BY created_at DESC, statecode DESC OFFSET $4)`,
      params: [cardId, nowMs, keep, Math.max(0, limit - 1)],
    });
  }
  const r = w.renewals ?? [];
  if (r.length > 0) {
    out.push({
      name: 'renewed',
      sql: `UPDATE sessions s SET expires_at = v.expires_at
        FROM unnest($1::text[], $2::bigint[]) AS v(statecode, expires_at)
        WHERE s.statecode = v.statecode`,
      params: [r.map((s) => s.statecode), r.map((s) => s.expiresAt)],
    });
  }
  if (started.length > 0) {
    out.push({
      name: 'started',
      sql: `INSERT INTO sessions (statecode, card_id, app_id, imei, expires_at, created_at, token_hash)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[])
        ON CONFLICT (statecode) DO UPDATE SET expires_at = EXCLUDED.expires_at, imei = EXCLUDED.imei,
          token_hash = COALESCE(EXCLUDED.token_hash, sessions.token_hash)`,
      params: [
        started.map((s) => s.statecode),
        started.map((s) => s.cardId),
        started.map((s) => s.appId),
        started.map((s) => s.imei),
        started.map((s) => s.expiresAt),
        started.map((s) => s.createdAt),
        started.map((s) => s.tokenHash ?? null),
      ],
    });
  }
  return out;
}

function statement(
  list: Part[],
  select: string,
  selectParams: unknown[] = [],
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const ctes = list.map((p) => {
    const sql = renumber(p.sql, params.length);
    params.push(...p.params);
    return `${p.name} AS (${sql})`;
  });
  const tail = renumber(select, params.length);
  params.push(...selectParams);
  return { sql: `${FLUSH_MARKER} WITH ${ctes.join(', ')} SELECT ${tail}`, params };
}

function renumber(sql: string, offset: number): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/**
 * Writes `w` in one statement; returns the ids of the inserted new cards. Throws when a changed
 * card's row is missing: memory (embedded) or the lock (PostgreSQL) said it was there.
 */
export async function writeCardChanges(db: Queryable, w: CardWrites): Promise<Set<string>> {
  const list = parts(w);
  if (list.length === 0) return new Set();
  const has = (name: string) => list.some((p) => p.name === name);
  const { sql, params } = statement(
    list,
    `${has('changed_cards') ? '(SELECT count(*) FROM changed_cards)' : '0'} AS changed, ${
      has('new_cards') ? '(SELECT array_agg(id) FROM new_cards)' : 'NULL'
    } AS inserted`,
  );
  const res = await db.query<{ changed: unknown; inserted: unknown }>(sql, params);
  const row = res.rows[0];
  const expected = w.cards?.length ?? 0;
  if (num(row?.changed) !== expected)
    throw new Error(`card update touched ${String(row?.changed)} of ${expected} rows`);
  const inserted = row?.inserted;
  const ids = Array.isArray(inserted)
    ? inserted
    : typeof inserted === 'string'
      ? parsePgTextArray(inserted)
      : [];
  return new Set(ids.map(String));
}

/** `{a,b}` (ids are digits: no quoting) for a driver that returns text arrays unparsed. */
function parsePgTextArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((x) => x.replace(/^"|"$/g, ''));
}
