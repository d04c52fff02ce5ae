// SDK overhead: N logins through @kami-verify/node versus raw undici.request calls sending the
// same bytes to the same server, sequentially and 32 at a time. The raw side builds each body
// when it sends it, as any client must (`t` is the current second, the safe_code fresh): a random
// safe_code, the md5 signature, the form encoding; it reads the reply as text and checks nothing.
// What the ratio then shows is the SDK's own work: verifying the reply (token, statecode, clock,
// safe_code echo), typed results, failover and deadlines. The server runs in its own process;
// rounds alternate which side goes first and the best of each is kept.
import { createHash, randomBytes } from 'node:crypto';
import { createVerify, UNDICI_TRANSPORT_DEFAULTS } from '@kami-verify/node';
import { Agent, request } from 'undici';
import { startTarget } from './lib.mjs';

const { n } = JSON.parse(process.argv[2] ?? '{"n":500}');
const CONCURRENCY = 32;
const ROUNDS = 3; // × 2 orders
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

// Each round runs both sides; the order alternates so neither always meets a warmer server.
const best = { rawSeq: Infinity, sdkSeq: Infinity, rawConc: Infinity, sdkConc: Infinity };
const keep = (key, ms) => {
  best[key] = Math.min(best[key], ms);
};
for (let round = 0; round < ROUNDS * 2; round++) {
  const sides = [
    async () => {
      keep(
        'rawSeq',
        await timed(async () => {
          for (let i = 0; i < n; i++) await rawLogin(signedLoginBody());
        }),
      );
      keep('rawConc', await timed(() => pooled(n, () => rawLogin(signedLoginBody()))));
    },
    async () => {
      keep(
        'sdkSeq',
        await timed(async () => {
          for (let i = 0; i < n; i++) await sdkLogin();
        }),
      );
      keep('sdkConc', await timed(() => pooled(n, sdkLogin)));
    },
  ];
  if (round % 2 === 1) sides.reverse();
  for (const side of sides) await side();
}
await client.close?.();
await agent.close();
await server.stop();
console.log(
  JSON.stringify({
    n,
    concurrency: CONCURRENCY,
    ms: best,
    sequentialRatio: best.sdkSeq / best.rawSeq,
    concurrentRatio: best.sdkConc / best.rawConc,
  }),
);
