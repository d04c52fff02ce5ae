// The admin API's bulk paths against the store's own, in one process and one run:
// - creation: POST /admin/v1/apps/{app}/cards (NDJSON streamed, read to the end by the client)
//   ÷ the service's bulk insert of as many cards;
// - export: GET /admin/v1/apps/{app}/export (CSV streamed, read to the end)
//   ÷ COPY (SELECT the same columns) TO STDOUT on PostgreSQL, one plain SELECT on the embedded store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createAdminToken, startServer } from '@kami-verify/server';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';

const { db, count } = JSON.parse(process.argv[2]);
const dir = db === 'file' ? mkdtempSync(join(tmpdir(), 'kami-bench-admin-')) : undefined;
const running = await startServer({
  port: 0,
  db: dir ? join(dir, 'pglite') : db,
  quiet: true,
  logger: false,
  config: {
    apps: [{ name: `base-${Date.now()}` }, { name: `admin-${Date.now()}` }],
    server: { throttle: false },
  },
});
const [base, app] = running.apps;
const { secret } = await createAdminToken(running.service.db, { name: 'bench', scope: 'full' });
const auth = { authorization: `Bearer ${secret}` };
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

// Creation: the store's bulk insert, then the admin route, same count and kind.
let t = process.hrtime.bigint();
await running.service.bulkCreateCards({ app: base, type: 1, count });
const storeCreate = seconds(t);

t = process.hrtime.bigint();
const created = await fetch(`${running.url}/admin/v1/apps/${app.id}/cards`, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ card: { kind: 'time', type: 1 }, count }),
});
const createdText = await created.text();
const adminCreate = seconds(t);
if (!createdText.trimEnd().endsWith(`{"done":true,"created":${count}}`))
  throw new Error('admin creation failed');

// Export: the admin route, then the engine's own fastest read of the same rows.
t = process.hrtime.bigint();
const exported = await fetch(`${running.url}/admin/v1/apps/${app.id}/export`, { headers: auth });
let bytes = 0;
for await (const chunk of exported.body) bytes += chunk.length;
const adminExport = seconds(t);

const COLUMNS =
  'card_str, kind, type, uses_total, uses_left, disabled, status, imei, bound_ip, change_count, activated_at, expires_at, core, remark, batch, created_at';
let baseline;
t = process.hrtime.bigint();
if (dir) {
  const rows = await running.service.db.query(`SELECT ${COLUMNS} FROM cards WHERE app_id = $1`, [app.id]);
  if (rows.rows.length !== count) throw new Error('select returned the wrong count');
  baseline = 'SELECT';
} else {
  // COPY takes no parameters; the id is a snowflake (digits only), checked before it goes in.
  if (!/^\d+$/.test(app.id)) throw new Error('unexpected app id');
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  const out = client.query(
    copyStreams.to(
      `COPY (SELECT ${COLUMNS} FROM cards WHERE app_id = '${app.id}') TO STDOUT WITH (FORMAT csv)`,
    ),
  );
  await pipeline(out, new Writable({ write: (_c, _e, cb) => cb() }));
  await client.end();
  baseline = 'COPY TO STDOUT';
}
const storeExport = seconds(t);

await running.close();
if (dir) rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    count,
    create: {
      adminCardsPerSecond: count / adminCreate,
      storeCardsPerSecond: count / storeCreate,
      ratio: storeCreate / adminCreate,
    },
    export: {
      adminRowsPerSecond: count / adminExport,
      baselineRowsPerSecond: count / storeExport,
      baseline,
      ratio: storeExport / adminExport,
      bytes,
    },
  }),
);
