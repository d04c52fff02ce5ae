// Heartbeats' reads, many in one statement (PostgreSQL's coalescer, see store/coalescer.ts): each
// live session asked for, with its card as committed now, so a kick or a disable by any process
// is seen by the next heartbeat. One statement text whatever the batch size.
import type { Queryable } from '../types';
import { type CardRow, cardColumns } from './card-rows';

export interface SessionCardQuery {
  appId: string;
  statecode: string;
}

/** A session's expiry (ms) and its card's row. */
export type SessionCard = { sessionExpiresAt: unknown; card: CardRow };

const SQL = `SELECT s.expires_at AS session_expires_at, ${cardColumns('c')}
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS v(statecode, app_id, i)
  LEFT JOIN sessions s ON s.statecode = v.statecode AND s.app_id = v.app_id
  LEFT JOIN cards c ON c.id = s.card_id
  ORDER BY v.i`;

/** One answer per query, in order: undefined where no such session exists. */
export async function selectSessionCards(
  db: Queryable,
  queries: readonly SessionCardQuery[],
): Promise<Array<SessionCard | undefined>> {
  const res = await db.query<CardRow & { session_expires_at: unknown }>(SQL, [
    queries.map((q) => q.statecode),
    queries.map((q) => q.appId),
  ]);
  if (res.rows.length !== queries.length)
    throw new Error(`session batch answered ${res.rows.length} rows for ${queries.length} queries`);
  return res.rows.map((row) =>
    row.session_expires_at === null || row.id === null
      ? undefined
      : { sessionExpiresAt: row.session_expires_at, card: row },
  );
}
