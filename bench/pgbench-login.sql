-- The physical limit of a re-login on PostgreSQL: the two statements the server runs for it
-- (read the card; write the session guarded by the card as read, see store/sql/card-writes.ts),
-- on the bench database's cards, with no HTTP and no Node in between. Run by bench/pgbench.sh.
\set i random(0, 999)
\set n random(1, 1000000000)
SELECT id AS card_id, imei AS card_imei, change_count, modified_at, activated_at, expires_at
  FROM cards WHERE app_id = :app::text AND card_str = 'BENCHCARD' || lpad(:i::text, 24, '0') \gset
WITH guard AS (
  SELECT 1 FROM cards c WHERE c.id = :card_id::text
    AND ROW(c.imei, c.change_count, c.modified_at, c.activated_at, c.expires_at)
      IS NOT DISTINCT FROM ROW(:card_imei::text, :change_count::int, :modified_at::bigint,
                               :activated_at::bigint, :expires_at::bigint)
  FOR KEY SHARE),
expired AS (
  DELETE FROM sessions WHERE card_id = :card_id::text AND expires_at <= 0 AND EXISTS (SELECT 1 FROM guard)),
started AS (
  INSERT INTO sessions (statecode, card_id, app_id, imei, expires_at, created_at)
  SELECT 'pgbench-' || :n, :card_id::text, :app::text, :card_imei::text, 9000000000000, 0
  WHERE EXISTS (SELECT 1 FROM guard)
  ON CONFLICT (statecode) DO UPDATE SET expires_at = EXCLUDED.expires_at)
SELECT (SELECT count(*) FROM guard) AS passed;
