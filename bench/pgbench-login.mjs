// The physical limit of a login on PostgreSQL: pgbench running the server's own batched login
// statement (apps/server/src/store/sql/card-write-batch.ts, taken from the source, not retyped)
// on the bench's database and cards, with no HTTP and no Node in between. Each pgbench
// transaction first reads BATCH bound cards' guards (one indexed read, as a cold server would),
// then writes their re-logins in one statement, as the server does under load; logins/s =
// transactions/s × BATCH. Prints one JSON line; {"skipped": …} without pgbench.
// Usage: node bench/pgbench-login.mjs '{"db":"postgres://…","seconds":5,"clients":2,"batch":32}'
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';

const { db, seconds = 5, clients = 2, batch = 32, cards = 1000 } = JSON.parse(process.argv[2] ?? '{}');
if (!db) throw new Error('pass {"db": "postgres://…"}');
if (spawnSync('pgbench', ['--version']).status !== 0) {
  console.log(JSON.stringify({ skipped: 'pgbench is not installed' }));
  process.exit(0);
}

/** The statement text the server sends for a batch of guarded writes. */
async function serverStatement() {
  const source = new URL('../apps/server/src/store/sql/card-write-batch.ts', import.meta.url).pathname;
  const out = await build({
    entryPoints: [source],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
  });
  const mod = await import(
    `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`
  );
  let sql;
  const capture = {
    async query(text, params) {
      sql = text;
      return { rows: params[0].map(() => ({ passed: true })), rowCount: params[0].length };
    },
  };
  const card = { id: '1', modifiedAt: 0 };
  await mod.writeGuardedBatch(capture, [{ guard: card, change: {}, nowMs: 0 }]);
  return sql;
}

const client = new pg.Client({ connectionString: db });
await client.connect();
const app = (await client.query("SELECT id, settings FROM apps WHERE name = 'bench'")).rows[0];
if (!app) throw new Error('no bench app: run the PostgreSQL section of bench/run.mjs first');
const limit = JSON.parse(
  typeof app.settings === 'string' ? app.settings : JSON.stringify(app.settings),
).maxSessionsPerCard;
// pgbench would read `:flush` in the statement's marker comment as a variable: the comment goes.
const statement = (await serverStatement()).replace(/\/\*.*?\*\//g, '').replace(/\$(\d+)/g, ':p$1');

// The guards of BATCH consecutive bound cards from a random one, and new sessions for them, in
// the server's parameter order (see params() in card-write-batch.ts): re-logins change no card.
const nulls = (type) => `array_agg(NULL::${type})`;
const script = `\\set i random(0, ${cards - 1})
SELECT array_agg(id) AS p1, array_agg(xmin::text) AS p2,
  array_agg(imei) AS p3, array_agg(bound_ip) AS p4, array_agg(activated_at) AS p5, array_agg(expires_at) AS p6,
  array_agg(uses_left) AS p7, array_agg(change_count) AS p8, array_agg(disabled) AS p9, array_agg(status) AS p10,
  array_agg(modified_at) AS p11, array_agg(bound_region) AS p12,
  array_agg(false) AS p13,
  ${nulls('text')} AS p14, ${nulls('text')} AS p15, ${nulls('bigint')} AS p16, ${nulls('bigint')} AS p17,
  ${nulls('int')} AS p18, ${nulls('int')} AS p19, ${nulls('bool')} AS p20, ${nulls('smallint')} AS p21,
  ${nulls('bigint')} AS p22, ${nulls('int')} AS p23, ${nulls('text')} AS p24, ${nulls('text')} AS p25,
  array_agg('pgbench-' || md5(random()::text)) AS p26, array_agg(app_id) AS p27, array_agg(imei) AS p28,
  array_agg(now_ms + 3600000) AS p29, array_agg(now_ms) AS p30, array_agg(md5(random()::text) || md5(random()::text)) AS p31,
  array_agg(${Number(limit) || 10}) AS p32, array_agg(now_ms) AS p33
FROM (SELECT c.*, c.xmin, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms FROM cards c
  WHERE app_id = '${app.id}' AND card_str = ANY (ARRAY(
    SELECT 'BENCHCARD' || lpad(((:i + g) % ${cards})::text, 24, '0') FROM generate_series(0, ${batch - 1}) g))) c
\\gset
${statement};
`;

const inserts = async () =>
  Number(
    (await client.query("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'sessions'")).rows[0]
      .n_tup_ins,
  );
const insertsBefore = await inserts();
const dir = mkdtempSync(join(tmpdir(), 'kami-pgbench-'));
try {
  writeFileSync(join(dir, 'login.sql'), script);
  const run = spawnSync(
    'pgbench',
    [
      db,
      '-n',
      '-M',
      'prepared',
      '-c',
      String(clients),
      '-j',
      String(Math.min(clients, 2)),
      '-T',
      String(seconds),
      '-f',
      join(dir, 'login.sql'),
    ],
    { encoding: 'utf8' },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(run.stdout)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(run.stdout)?.[1] ?? 0);
  if (run.status !== 0 || !Number.isFinite(tps))
    throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
  // Every guard must have passed (each login inserted its session), or the figure measures refusals.
  await new Promise((r) => setTimeout(r, 1000)); // the exited clients' statistics reach the view
  const written = (await inserts()) - insertsBefore;
  const transactions = Number(/number of transactions actually processed: (\d+)/.exec(run.stdout)?.[1]);
  console.log(
    JSON.stringify({
      clients,
      batch,
      seconds,
      tps,
      failed,
      loginsPerSecond: tps * batch,
      logins: transactions * batch,
      sessionsInserted: written,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await client.query("DELETE FROM sessions WHERE statecode LIKE 'pgbench-%'");
  await client.end();
}
