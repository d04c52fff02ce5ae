// Load generator child process: runs autocannon against one target and prints one JSON line.
// Kept out of the server's process so the two don't share an event loop.
import { createHash } from 'node:crypto';
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');

let next = 0;

/** Builds the body of one request; T3 requests need a fresh `t` and signature. */
function makeBody() {
  if (spec.kind === 'fixed') return spec.body ?? '';
  if (spec.kind === 't3') {
    const t = Math.floor(Date.now() / 1000);
    // Many clients: each request takes the next field set (card + device, or statecode) in turn.
    const own = spec.fieldSets ? spec.fieldSets[next++ % spec.fieldSets.length] : spec.fields;
    const fields = [...own, ['t', String(t)]];
    const signText = `${fields.map(([k, v]) => `${k}=${v}`).join('&')}&${spec.appKey}`;
    fields.push(['s', md5(signText)]);
    return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  }
  throw new Error(`unknown kind ${spec.kind}`);
}

const cpuStart = process.cpuUsage();
const wallStart = process.hrtime.bigint();
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  requests: [
    {
      method: 'POST',
      path: spec.path,
      headers: spec.headers ?? { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req) => ({ ...req, body: makeBody() }),
    },
  ],
});
const cpu = process.cpuUsage(cpuStart);
const wallUs = Number(process.hrtime.bigint() - wallStart) / 1000;
console.log(
  JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    loadgenCpu: (cpu.user + cpu.system) / wallUs,
  }),
);
