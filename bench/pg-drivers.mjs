// The PostgreSQL driver choice, measured: `pg` (node-postgres, the server's driver: a pool, named
// statements, one query in flight per connection) against `postgres` (porsager: pipelines queries
// on each connection), each with 10 connections and 64 concurrent callers, running one-row forms
// of a login's and a heartbeat's statements on tables of their own: what a driver adds per call.
// (The server itself gathers concurrent calls into one statement, store/coalescer.ts, which
// leaves pipelining less to do; bench/pgbench-login.mjs measures that statement.) No HTTP.
// Prints one JSON line.
// Usage: node bench/pg-drivers.mjs '{"db":"postgres://…","seconds":3}'
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import postgres from 'postgres';

const { db, seconds = 3, concurrency = 64, pool = 10, cards = 1000 } = JSON.parse(process.argv[2] ?? '{}');
if (!db) throw new Error('pass {"db": "postgres://…"}');

const T = `kami_drivers_${randomBytes(4).toString('hex')}`;
const READ = `SELECT id, imei, change_count, modified_at FROM ${T}_cards WHERE card_str = $1`;
// A re-login's one statement: the guard (FOR KEY SHARE), expired sessions dropped, the session.
const WRITE = `WITH guard AS (
    SELECT 1 FROM ${T}_cards c WHERE c.id = $1
      AND ROW(c.imei, c.change_count, c.modified_at) IS NOT DISTINCT FROM ROW($2::text, $3::int, $4::bigint)
    FOR KEY SHARE),
  expired AS (DELETE FROM ${T}_sessions WHERE card_id = $1 AND expires_at <= $5 AND EXISTS (SELECT 1 FROM guard)),
  started AS (
    INSERT INTO ${T}_sessions (statecode, card_id, expires_at)
    SELECT $6, $1, $7 WHERE EXISTS (SELECT 1 FROM guard)
    ON CONFLICT (statecode) DO UPDATE SET expires_at = EXCLUDED.expires_at)
  SELECT (SELECT count(*) FROM guard) AS passed`;
const HEARTBEAT = `SELECT s.expires_at, c.disabled, c.expires_at AS card_expires
  FROM ${T}_sessions s JOIN ${T}_cards c ON c.id = s.card_id WHERE s.statecode = $1`;

const setup = new pg.Client({ connectionString: db });
await setup.connect();
await setup.query(`CREATE TABLE ${T}_cards (id text PRIMARY KEY, card_str text UNIQUE, imei text,
  change_count int NOT NULL DEFAULT 0, modified_at bigint NOT NULL DEFAULT 0, disabled bool NOT NULL DEFAULT false,
  expires_at bigint)`);
await setup.query(`CREATE TABLE ${T}_sessions (statecode text PRIMARY KEY,
  card_id text NOT NULL REFERENCES ${T}_cards(id), expires_at bigint NOT NULL)`);
await setup.query(
  `INSERT INTO ${T}_cards (id, card_str, imei) SELECT 'id' || i, 'CARD' || i, 'DEVICE' FROM generate_series(0, $1 - 1) i`,
  [cards],
);
await setup.query(
  `INSERT INTO ${T}_sessions SELECT 'S' || i, 'id' || i, 9e12 FROM generate_series(0, $1 - 1) i`,
  [cards],
);

/** `concurrency` callers looping over `op` for `seconds`; ops per second. */
async function measure(op) {
  let ops = 0;
  let n = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await op(n++);
        ops++;
      }
    }),
  );
  return ops / seconds;
}

const workloads = (query) => ({
  'cold login (read + write)': async (i) => {
    const [card] = await query('read', READ, [`CARD${i % cards}`]);
    await query('write', WRITE, [card.id, card.imei, card.change_count, card.modified_at, 0, `N${i}`, 9e12]);
  },
  'repeated login (one write)': (i) =>
    query('write', WRITE, [`id${i % cards}`, 'DEVICE', 0, 0, 0, `R${i}`, 9e12]),
  heartbeat: (i) => query('heartbeat', HEARTBEAT, [`S${i % cards}`]),
});

const drivers = {
  async pg() {
    const p = new pg.Pool({ connectionString: db, max: pool });
    const query = async (name, text, values) => (await p.query({ name: `${T}_${name}`, text, values })).rows;
    return { query, close: () => p.end() };
  },
  async postgres() {
    const sql = postgres(db, { max: pool, prepare: true, onnotice: () => {} });
    const query = (_name, text, values) => sql.unsafe(text, values, { prepare: true });
    return { query, close: () => sql.end() };
  },
};

const results = {};
try {
  for (const [driver, open] of Object.entries(drivers)) {
    const { query, close } = await open();
    try {
      for (const [name, op] of Object.entries(workloads(query))) {
        await measure(op); // warm-up: prepares every statement on every connection
        results[name] = { ...results[name], [driver]: await measure(op) };
        console.error(`pg-drivers: ${driver} ${name}: ${Math.round(results[name][driver])} ops/s`);
      }
    } finally {
      await close();
    }
  }
} finally {
  await setup.query(`DROP TABLE ${T}_sessions, ${T}_cards`);
  await setup.end();
}
for (const r of Object.values(results)) r.postgresVsPg = r.postgres / r.pg;
console.log(JSON.stringify({ seconds, concurrency, pool, results }));
