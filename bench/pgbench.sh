#!/bin/sh
# pgbench running the re-login statements (bench/pgbench-login.sql) on a database the bench has
# filled (DATABASE_URL, after `npm run bench` or `--postgres-only`): 64 clients, prepared.
set -e
app=$(psql "$DATABASE_URL" -Atc "SELECT id FROM apps WHERE name = 'bench'")
pgbench "$DATABASE_URL" -n -M prepared -c "${CLIENTS:-64}" -j 2 -T "${SECONDS_:-10}" -D app="$app" \
  -f "$(dirname "$0")/pgbench-login.sql"
psql "$DATABASE_URL" -qc "DELETE FROM sessions WHERE statecode LIKE 'pgbench-%'"
