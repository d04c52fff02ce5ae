#!/usr/bin/env node
// `npm run bench [-- --quick]`: every headline figure is a ratio against a baseline measured in
// the same run, on this machine, on loopback. Nothing here asserts a time; it reports.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fmt, ratio, runJson, startTarget } from './lib.mjs';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 2 : 6; // seconds per load run
const WARMUP = quick ? 0.5 : 1; // seconds of unmeasured load first: JIT and caches warm on every side
const CONNECTIONS = 64;
const BULK_COUNT = quick ? 20_000 : 100_000;
// Admin bulk creation + export (bench/admin.mjs): bounded to ~30 s per store on a loaded machine.
const ADMIN_COUNT = quick ? 10_000 : 50_000;
const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');
const started = Date.now();
const results = {
  date: new Date().toISOString(),
  quick,
  machine: machine(),
  server: {},
  sdk: null,
  bundle: null,
  bulk: {},
  admin: {},
  languages: [],
};

function machine() {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

function signedForm(fields, appKey) {
  const all = [...fields, ['t', String(Math.floor(Date.now() / 1000))]];
  all.push(['s', md5(`${all.map(([k, v]) => `${k}=${v}`).join('&')}&${appKey}`)]);
  return all.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

async function post(url, body, headers) {
  const res = await fetch(url, { method: 'POST', body, headers });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text), bytes: Buffer.byteLength(text) };
}

/** Prepares the three scenarios against a running server; each is checked once for success first. */
async function scenarios(info) {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  // Every card logs in once on its own device (binding it), 32 at a time; the measured logins
  // are the re-logins of those clients and the heartbeats use their statecodes.
  const loginFields = info.cards.map((kami, i) => [
    ['kami', kami],
    ['imei', `BENCH-DEVICE-${i}`],
    ['safe_code', 'bench'],
  ]);
  const logins = new Array(loginFields.length);
  for (let i = 0; i < loginFields.length; i += 32) {
    await Promise.all(
      loginFields.slice(i, i + 32).map(async (fields, j) => {
        const res = await post(info.url + '/' + info.routes.login, signedForm(fields, info.appKey), form);
        if (String(res.json.code) !== '200') throw new Error(`bench login failed: ${res.text}`);
        logins[i + j] = res;
      }),
    );
  }
  const login = logins[0];
  const countFields = info.countCards.map((kami, i) => [
    ['kami', kami],
    ['imei', `BENCH-COUNTER-${i}`],
    ['safe_code', 'bench'],
  ]);
  const countLogin = await post(
    info.url + '/' + info.routes.login,
    signedForm(countFields[0], info.appKey),
    form,
  );
  if (String(countLogin.json.code) !== '200') throw new Error(`bench count login failed: ${countLogin.text}`);
  const beat = await post(
    info.url + '/' + info.routes.heartbeat,
    signedForm([['statecode', login.json.statecode]], info.appKey),
    form,
  );
  if (String(beat.json.code) !== '200') throw new Error(`bench heartbeat failed: ${beat.text}`);
  const user = await post(
    info.url + '/api/login',
    JSON.stringify({ userNumber: 'reseller', passWord: 'bench-password' }),
    {
      'content-type': 'application/json',
      askKey: info.askKey,
    },
  );
  const potatoHeaders = {
    'content-type': 'application/json',
    askKey: info.askKey,
    apiUserToken: user.json.data?.apiUserToken,
  };
  const createBody = JSON.stringify({ type: 1, total: 1 });
  const created = await post(info.url + '/api/createCardMy', createBody, potatoHeaders);
  if (String(created.json.code) !== '200') throw new Error(`bench createCardMy failed: ${created.text}`);
  return [
    {
      name: 'login',
      bytes: login.bytes,
      spec: {
        kind: 't3',
        path: '/' + info.routes.login,
        appKey: info.appKey,
        fieldSets: loginFields,
      },
    },
    {
      // Every login of a count card uses it: the durable path (answered once on disk).
      name: 'login (count card)',
      bytes: countLogin.bytes,
      spec: { kind: 't3', path: '/' + info.routes.login, appKey: info.appKey, fieldSets: countFields },
    },
    {
      name: 'heartbeat',
      bytes: beat.bytes,
      spec: {
        kind: 't3',
        path: '/' + info.routes.heartbeat,
        appKey: info.appKey,
        fieldSets: logins.map((l) => [['statecode', l.json.statecode]]),
      },
    },
    {
      name: 'createCardMy',
      bytes: created.bytes,
      spec: { kind: 'fixed', path: '/api/createCardMy', body: createBody, headers: potatoHeaders },
    },
  ];
}

async function load(url, spec) {
  await runJson('load.mjs', [JSON.stringify({ ...spec, url, connections: CONNECTIONS, duration: WARMUP })]);
  return runJson('load.mjs', [
    JSON.stringify({ ...spec, url, connections: CONNECTIONS, duration: DURATION }),
  ]);
}

async function serverSection(label, db) {
  const kami = await startTarget('targets/kami-server.mjs', [JSON.stringify({ db })]);
  const baselineHttp = await startTarget('targets/baseline-http.mjs');
  const baselineExpress = await startTarget('targets/baseline-express.mjs');
  const out = {};
  try {
    for (const sc of await scenarios(kami.info)) {
      const path = `/?size=${sc.bytes}`;
      const http = await load(baselineHttp.info.url, { kind: 'fixed', path, body: 'x=1' });
      const express = await load(baselineExpress.info.url, { kind: 'fixed', path, body: 'x=1' });
      const server = await load(kami.info.url, sc.spec);
      out[sc.name] = {
        bodyBytes: sc.bytes,
        server,
        baselineNodeHttp: http,
        baselineExpress: express,
        vsNodeHttp: ratio(server.rps, http.rps),
        vsExpress: ratio(server.rps, express.rps),
      };
      console.error(
        `  ${label} ${sc.name}: ${fmt(server.rps)} req/s (${fmt(out[sc.name].vsExpress, 2)}× express)`,
      );
    }
  } finally {
    await Promise.all([kami.stop(), baselineHttp.stop(), baselineExpress.stop()]);
  }
  return out;
}

async function optional(label, fn) {
  try {
    return await fn();
  } catch (error) {
    console.error(`  ${label}: skipped (${error.message})`);
    return { skipped: error.message };
  }
}

console.error(
  `bench: ${quick ? 'quick' : 'full'} run, ${DURATION}s per load run after ${WARMUP}s warm-up, ${CONNECTIONS} connections`,
);
// `--postgres-only`: just the PostgreSQL section (comparing driver settings), no report file.
if (process.argv.includes('--postgres-only')) {
  const section = await serverSection('postgres', process.env.DATABASE_URL);
  for (const [name, r] of Object.entries(section))
    console.log(
      `postgres ${name}: ${fmt(r.server.rps)} req/s, p50 ${fmt(r.server.p50, 1)} ms, p99 ${fmt(r.server.p99, 1)} ms (express p99 ${fmt(r.baselineExpress.p99, 1)} ms), ${fmt(r.vsExpress, 2)}× express`,
    );
  const limit = await pgbenchLimit();
  if (!limit.skipped) console.log(loginLimitLine(limit, section.login.server.rps));
  process.exit(0);
}

/** pgbench running the server's batched login statement (bench/pgbench-login.mjs). */
function pgbenchLimit() {
  return optional('pgbench', () =>
    runJson('pgbench-login.mjs', [JSON.stringify({ db: process.env.DATABASE_URL, seconds: quick ? 2 : 5 })]),
  );
}

function loginLimitLine(limit, loginRps) {
  return `PostgreSQL's limit, pgbench on the server's login statement (${limit.clients} clients, ${limit.batch} logins per statement, no HTTP or Node): ${fmt(limit.loginsPerSecond)} logins/s; server login ÷ that limit: ${fmt(loginRps / limit.loginsPerSecond, 2)}`;
}
results.server.embedded = await serverSection('embedded', 'memory');
if (process.env.DATABASE_URL)
  results.server.postgres = await serverSection('postgres', process.env.DATABASE_URL);
results.sdk = await optional('sdk overhead', () =>
  runJson('sdk-overhead.mjs', [JSON.stringify({ n: quick ? 500 : 5000 })]),
);
results.bundle = await optional('bundle size', () => runJson('bundle-size.mjs'));
// Each other language's SDK benchmark: bench/languages/<lang>.mjs prints one JSON line.
const languagesDir = new URL('languages/', import.meta.url);
for (const file of existsSync(languagesDir) ? readdirSync(languagesDir).sort() : []) {
  if (!file.endsWith('.mjs')) continue;
  const language = file.replace(/\.mjs$/, '');
  results.languages.push({
    language,
    ...(await optional(`${language} sdk`, () =>
      runJson(`languages/${file}`, [quick ? '--quick' : '--full']),
    )),
  });
}
results.bulk.embedded = await runJson('bulk.mjs', [JSON.stringify({ db: 'file', count: BULK_COUNT })]);
if (process.env.DATABASE_URL) {
  results.bulk.postgres = await runJson('bulk.mjs', [
    JSON.stringify({ db: process.env.DATABASE_URL, count: BULK_COUNT }),
  ]);
}
// The driver choice (pg vs postgres/porsager) on one-row login and heartbeat statements.
if (process.env.DATABASE_URL) {
  results.pgDrivers = await optional('pg drivers', () =>
    runJson('pg-drivers.mjs', [JSON.stringify({ db: process.env.DATABASE_URL, seconds: quick ? 2 : 5 })]),
  );
}
if (process.env.DATABASE_URL) results.pgbench = await pgbenchLimit();
results.admin.embedded = await optional('admin (embedded)', () =>
  runJson('admin.mjs', [JSON.stringify({ db: 'file', count: ADMIN_COUNT })]),
);
if (process.env.DATABASE_URL) {
  results.admin.postgres = await optional('admin (postgres)', () =>
    runJson('admin.mjs', [JSON.stringify({ db: process.env.DATABASE_URL, count: ADMIN_COUNT })]),
  );
}
results.seconds = (Date.now() - started) / 1000;

// ---- report ---------------------------------------------------------------------------------
const rows = [
  ['store', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', '÷ node:http', '÷ express', 'target', 'loadgen CPU'],
];
// The embedded store's targets, and PostgreSQL's (the scale-out issue's).
const targets = {
  embedded: { login: 0.5, heartbeat: 0.7 },
  postgres: { login: 1.0, heartbeat: 1.5, 'login (count card)': 0.8 },
};
for (const [store, section] of Object.entries(results.server)) {
  for (const [name, r] of Object.entries(section)) {
    const target = targets[store]?.[name];
    rows.push([
      store,
      name,
      fmt(r.server.rps),
      fmt(r.server.p50, 1),
      fmt(r.server.p99, 1),
      fmt(r.vsNodeHttp, 2),
      fmt(r.vsExpress, 2),
      target ? `≥ ${target} ${r.vsExpress >= target ? 'met' : 'MISSED'}` : '',
      `${fmt(r.server.loadgenCpu * 100)}%`,
    ]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows.slice(1)) console.log(line(r));
if (results.sdk && !results.sdk.skipped) {
  console.log(
    `\nSDK overhead (@kami-verify/node ÷ raw undici, same bytes): sequential ${fmt(results.sdk.sequentialRatio, 2)}, concurrent ${fmt(results.sdk.concurrentRatio, 2)}`,
  );
}
if (results.bundle && !results.bundle.skipped) {
  console.log(
    `Browser bundle, login + heartbeat: ${results.bundle.minBytes} B min, ${results.bundle.gzipBytes} B min+gzip`,
  );
}
for (const l of results.languages) {
  if (l.skipped) continue;
  console.log(
    `${l.language} SDK ÷ raw HTTP client, same bytes: sequential ${fmt(l.sequentialRatio, 2)}, concurrent ${fmt(l.concurrentRatio, 2)}`,
  );
}
for (const [store, b] of Object.entries(results.bulk)) {
  console.log(
    `Bulk generation (${store}): ${b.created} cards in ${fmt(b.seconds, 2)} s = ${fmt(b.cardsPerSecond)} cards/s`,
  );
}
if (results.pgDrivers && !results.pgDrivers.skipped) {
  console.log(
    '\nPostgreSQL drivers, one-row login and heartbeat statements without HTTP (10 connections, 64 callers):',
  );
  for (const [name, r] of Object.entries(results.pgDrivers.results)) {
    console.log(
      `  ${name}: pg ${fmt(r.pg)} ops/s, postgres (porsager) ${fmt(r.postgres)} ops/s = ${fmt(r.postgresVsPg, 2)}× pg`,
    );
  }
}
if (results.pgbench && !results.pgbench.skipped && results.server.postgres) {
  console.log(loginLimitLine(results.pgbench, results.server.postgres.login.server.rps));
}
for (const [store, a] of Object.entries(results.admin)) {
  if (!a || a.skipped) continue;
  console.log(
    `Admin API (${store}, ${a.count} cards): creation ${fmt(a.create.adminCardsPerSecond)} cards/s = ${fmt(a.create.ratio, 2)} × the store's bulk insert (${fmt(a.create.storeCardsPerSecond)}/s); export ${fmt(a.export.adminRowsPerSecond)} rows/s = ${fmt(a.export.ratio, 2)} × ${a.export.baseline} (${fmt(a.export.baselineRowsPerSecond)}/s)`,
  );
}

// ---- the issue's targets, each judged on this run -------------------------------------------
const embedded = results.server.embedded;
const sdkOk = results.sdk && !results.sdk.skipped;
const bundleOk = results.bundle && !results.bundle.skipped;
results.targets = [
  [
    'heartbeat ≥ 0.70 × bare Express',
    fmt(embedded.heartbeat.vsExpress, 2),
    embedded.heartbeat.vsExpress >= 0.7,
  ],
  ['login ≥ 0.50 × bare Express', fmt(embedded.login.vsExpress, 2), embedded.login.vsExpress >= 0.5],
  [
    'login p99 ≤ 20 ms at 64 connections',
    `${fmt(embedded.login.server.p99, 1)} ms`,
    embedded.login.server.p99 <= 20,
  ],
  [
    'SDK ÷ raw undici ≤ 1.10',
    sdkOk ? `${fmt(results.sdk.sequentialRatio, 2)} seq, ${fmt(results.sdk.concurrentRatio, 2)} conc` : 'n/a',
    sdkOk ? Math.max(results.sdk.sequentialRatio, results.sdk.concurrentRatio) <= 1.1 : null,
  ],
  [
    `browser bundle ≤ ${bundleOk ? results.bundle.budgetBytes : 'its budget'} B gzip (the browser package's budget)`,
    bundleOk ? `${results.bundle.gzipBytes} B` : 'n/a',
    bundleOk ? results.bundle.gzipBytes <= results.bundle.budgetBytes : null,
  ],
  [
    'bulk generation ≥ 50 000 cards/s (embedded)',
    fmt(results.bulk.embedded.cardsPerSecond),
    results.bulk.embedded.cardsPerSecond >= 50_000,
  ],
  ...(results.server.postgres
    ? [
        ...Object.entries(targets.postgres).map(([name, min]) => {
          const r = results.server.postgres[name];
          return [
            `postgres ${name} ≥ ${fmt(min, 2)} × bare Express`,
            fmt(r.vsExpress, 2),
            r.vsExpress >= min,
          ];
        }),
        [
          'postgres login p99 ≤ 20 ms at 64 connections',
          `${fmt(results.server.postgres.login.server.p99, 1)} ms`,
          results.server.postgres.login.server.p99 <= 20,
        ],
      ]
    : []),
  ...results.languages.map((l) => [
    `${l.language} SDK ÷ raw ≤ ${l.target ?? 'n/a'}`,
    l.skipped ? 'n/a' : `${fmt(l.sequentialRatio, 2)} seq, ${fmt(l.concurrentRatio, 2)} conc`,
    l.skipped || !l.target ? null : Math.max(l.sequentialRatio, l.concurrentRatio) <= l.target,
  ]),
].map(([target, value, met]) => ({ target, value, met }));
console.log(
  quick
    ? '\nTargets (quick run: 2 s loads and 20 000 cards, indicative only; judge them on a full run):'
    : '\nTargets:',
);
for (const t of results.targets) {
  console.log(`  ${t.met === null ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${t.value}`);
}
console.log(
  `\n${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}; ${fmt(results.seconds)} s`,
);
const out = new URL('results.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
