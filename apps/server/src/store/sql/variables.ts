// Cloud variables (云变量) written by clients, shared by both adapters: one row per app and id.
import type { Queryable } from '../types';

export async function readVariable(
  db: Queryable,
  appId: string,
  valueid: string,
): Promise<string | undefined> {
  const res = await db.query<{ value: string }>(
    'SELECT value FROM app_variables WHERE app_id = $1 AND valueid = $2',
    [appId, valueid],
  );
  return res.rows[0]?.value;
}

/** One statement (an upsert): concurrent writes of one variable end with one of them, whole. */
export async function writeVariable(
  db: Queryable,
  appId: string,
  valueid: string,
  value: string,
  nowMs: number,
): Promise<void> {
  await db.query(
    `INSERT INTO app_variables (app_id, valueid, value, modified_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (app_id, valueid) DO UPDATE SET value = EXCLUDED.value, modified_at = EXCLUDED.modified_at`,
    [appId, valueid, value, nowMs],
  );
}
