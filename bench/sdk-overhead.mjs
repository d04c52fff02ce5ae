// SDK overhead: N logins through @kami-verify/node versus raw undici.request calls sending the
// same bytes to the same server, sequentially and 32 at a time. The raw side builds each body
// when it sends it, as any client must (`t` is the current second, the safe_code fresh): a random
// safe_code, the md5 signature, the form encoding; it reads the reply as text and checks nothing.
// What the ratio then shows is the SDK's own work: verifying the reply (token, statecode, clock,
// safe_code echo), typed results, failover and deadlines. The server runs in its own process.
import { createHash, randomBytes } from 'node:crypto';
import { createVerify, UNDICI_TRANSPORT_DEFAULTS } from '@kami-verify/node';
import { Agent, request } from 'undici';
import { startTarget } from './lib.mjs';

const { n } = JSON.parse(process.argv[2] ?? '{"n":500}');
const CONCURRENCY = 32;
const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');

const server = await startTarget('targets/kami-server.mjs', [JSON.stringify({ db: 'memory' })]);
const { url, appKey, routes, card } = server.info;
const imei = 'BENCH-DEVICE';

function signedLoginBody() {
  const safe = randomBytes(8).toString('hex');
  const fields = [
    ['kami', card],
    ['imei', imei],
    ['safe_code', safe],
    ['t', String(Math.floor(Date.now() / 1000))],
  ];
  fields.push(['s', md5(`${fields.map(([k, v]) => `${k}=${v}`).join('&')}&${appKey}`)]);
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

// Same pool size as the SDK's default transport, so the ratio measures the SDK's code, not a
// different number of sockets.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: UNDICI_TRANSPORT_DEFAULTS.connections });
async function rawLogin(body) {
  const res = await request(`${url}/${routes.login}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    dispatcher: agent,
  });
  const text = await res.body.text();
  if (!text.includes('"statecode"')) throw new Error(`raw login failed: ${text}`);
}

const client = createVerify({
  baseUrl: url,
  appKey,
  routes: { login: routes.login, heartbeat: routes.heartbeat },
});
const sdkLogin = () => client.login(card, imei);

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function pooled(count, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await task();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

// Warm both paths (JIT, connections, the server's caches), sequentially and concurrently: the
// SDK runs more code than the raw call, and measuring it half-optimised would flatter nobody.
for (let i = 0; i < 500; i++) {
  await rawLogin(signedLoginBody());
  await sdkLogin();
}
await pooled(2000, () => rawLogin(signedLoginBody()));
await pooled(2000, sdkLogin);

// The machine is shared and its speed drifts by more than the effect measured, so the sides run
// in small paired blocks (raw then SDK, or SDK then raw, alternating) and each pair gives a
// ratio; the median of those ratios is the figure. Drift cancels within a pair.
const BLOCKS = 20;
const seqBlock = Math.max(1, Math.round(n / BLOCKS));
const concBlock = seqBlock * 4;
const sequential = {
  raw: async () => {
    for (let i = 0; i < seqBlock; i++) await rawLogin(signedLoginBody());
  },
  sdk: async () => {
    for (let i = 0; i < seqBlock; i++) await sdkLogin();
  },
};
const concurrent = {
  raw: () => pooled(concBlock, () => rawLogin(signedLoginBody())),
  sdk: () => pooled(concBlock, sdkLogin),
};

async function pairedRatios(sides) {
  const ratios = [];
  const totals = { raw: 0, sdk: 0 };
  for (let b = 0; b < BLOCKS; b++) {
    const order = b % 2 === 0 ? ['raw', 'sdk'] : ['sdk', 'raw'];
    const ms = {};
    for (const side of order) ms[side] = await timed(sides[side]);
    totals.raw += ms.raw;
    totals.sdk += ms.sdk;
    ratios.push(ms.sdk / ms.raw);
  }
  ratios.sort((a, b) => a - b);
  return { ratio: ratios[BLOCKS >> 1], totals };
}

const seq = await pairedRatios(sequential);
const conc = await pairedRatios(concurrent);
await client.close?.();
await agent.close();
await server.stop();
console.log(
  JSON.stringify({
    logins: { sequential: seqBlock * BLOCKS, concurrent: concBlock * BLOCKS },
    concurrency: CONCURRENCY,
    ms: {
      rawSeq: seq.totals.raw,
      sdkSeq: seq.totals.sdk,
      rawConc: conc.totals.raw,
      sdkConc: conc.totals.sdk,
    },
    sequentialRatio: seq.ratio,
    concurrentRatio: conc.ratio,
  }),
);
