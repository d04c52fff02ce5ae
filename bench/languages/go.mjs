// Go SDK overhead: login and heartbeat through packages/go (kami.Client) versus raw net/http
// sending the same bytes to the same server (packages/go/bench_test.go), sequentially and 32
// goroutines at a time. The server is bench/targets/kami-server.mjs in its own process.
//
// BenchmarkPaired gives the ratios: many small blocks, each timing a few raw calls and as many SDK
// calls back to back (alternating which goes first), the median block ratio being the figure, so
// the drift of a shared machine cancels within a block. BenchmarkLogin/Heartbeat(Parallel) with
// -benchmem give ns and allocations per call of each side (client side only: the server is
// another process). BenchmarkProtocolWork is the SDK's own CPU per call without the network.
// Progress goes to stderr; the last stdout line is the JSON result.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTarget } from '../lib.mjs';

const quick = process.argv.includes('--quick');
const BLOCKS = quick ? 41 : 101;
const TARGET = 1.1;
const pkg = new URL('../../packages/go/', import.meta.url).pathname;
const log = (...args) => console.error('bench go:', ...args);

const dir = mkdtempSync(join(tmpdir(), 'kami-go-bench-'));
const binary = join(dir, 'kami-go.test');
const server = await startTarget('targets/kami-server.mjs', [JSON.stringify({ db: 'memory' })]);
try {
  log('building the test binary');
  const build = spawnSync('go', ['test', '-c', '-o', binary, '.'], {
    cwd: pkg,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0) throw new Error('go test -c failed');
  const { url, appKey, routes, card } = server.info;
  const env = {
    ...process.env,
    KAMI_BENCH_URL: url,
    KAMI_BENCH_APPKEY: appKey,
    KAMI_BENCH_ROUTES: JSON.stringify(routes),
    KAMI_BENCH_CARD: card,
  };
  const bench = (pattern, times, extra = []) => {
    log(`running ${pattern} × ${times}`);
    const res = spawnSync(
      binary,
      ['-test.run', '^$', '-test.bench', pattern, '-test.benchtime', `${times}x`, ...extra],
      { cwd: pkg, env, encoding: 'utf8' },
    );
    if (res.status !== 0) throw new Error(`${pattern}: ${res.stdout}${res.stderr}`);
    return res.stdout.split('\n');
  };

  const metric = (l, unit) => {
    const m = new RegExp(`([\\d.]+) ${unit}(\\s|$)`).exec(l);
    return m ? Number(m[1]) : undefined;
  };
  const scenarios = {};
  for (const l of bench('^BenchmarkPaired$', BLOCKS)) {
    const m = /^BenchmarkPaired\/(\w+)-\d+\s/.exec(l);
    if (!m) continue;
    scenarios[m[1]] = {
      ratio: metric(l, 'sdk/raw'),
      rawMicrosPerCall: metric(l, 'raw-µs/call'),
      sdkMicrosPerCall: metric(l, 'sdk-µs/call'),
    };
  }
  for (const l of bench('^Benchmark(Login|Heartbeat)(Parallel)?$', 200, ['-test.benchmem'])) {
    const m = /^Benchmark(\w+)\/(raw|sdk)-\d+\s/.exec(l);
    if (!m || !scenarios[m[1]]) continue;
    scenarios[m[1]].allocsPerCall ??= {};
    scenarios[m[1]].bytesPerCall ??= {};
    scenarios[m[1]].allocsPerCall[m[2]] = metric(l, 'allocs/op');
    scenarios[m[1]].bytesPerCall[m[2]] = metric(l, 'B/op');
  }
  // The SDK's own CPU per call without the network (signing, decoding, checks).
  const protocolWork = {};
  for (const l of bench('^BenchmarkProtocolWork$', 20000, ['-test.benchmem'])) {
    const m = /^BenchmarkProtocolWork\/(\w+)-\d+\s/.exec(l);
    if (m) protocolWork[m[1]] = { micros: metric(l, 'ns/op') / 1000, allocs: metric(l, 'allocs/op') };
  }
  for (const name of ['Login', 'Heartbeat', 'LoginParallel', 'HeartbeatParallel']) {
    const s = scenarios[name];
    if (s?.ratio === undefined) throw new Error(`no result for ${name}`);
    log(`${name}: SDK ÷ raw ${s.ratio} (allocs/call ${s.allocsPerCall?.sdk} vs ${s.allocsPerCall?.raw})`);
  }
  // The headline ratios are the worse of login and heartbeat.
  console.log(
    JSON.stringify({
      language: 'go',
      sequentialRatio: Math.max(scenarios.Login.ratio, scenarios.Heartbeat.ratio),
      concurrentRatio: Math.max(scenarios.LoginParallel.ratio, scenarios.HeartbeatParallel.ratio),
      target: TARGET,
      details: { blocks: BLOCKS, concurrency: 32, scenarios, protocolWork },
    }),
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
