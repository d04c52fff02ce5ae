// Java SDK overhead: login through packages/java (KamiClient) versus raw HttpURLConnection sending
// the same bytes (signed per call, as any client must) to the same server, sequentially and
// 8 threads at a time. The server is bench/targets/kami-server.mjs in its own process; the
// benchmark is packages/java/src/test/java/dev/kamiverify/LoginBench.java (paired blocks, JIT
// warmed, median block ratio). Progress goes to stderr; the last stdout line is the JSON result.
import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startTarget } from '../lib.mjs';

const quick = process.argv.includes('--quick');
const pkg = new URL('../../packages/java/', import.meta.url).pathname;
const log = (...args) => console.error('bench java:', ...args);

log('compiling (mvn test-compile)');
const build = spawnSync(
  'mvn',
  ['-B', '-q', '--no-transfer-progress', '-Dstyle.color=never', 'test-compile'],
  {
    cwd: pkg,
    // Maven's output goes to stderr: stdout carries only the JSON result line.
    stdio: ['ignore', 2, 2],
  },
);
if (build.status !== 0) throw new Error('mvn test-compile failed');
const m2 = join(homedir(), '.m2', 'repository', 'com', 'fasterxml', 'jackson', 'core');
const jackson = ['databind', 'core', 'annotations'].map((a) =>
  join(m2, `jackson-${a}`, '2.17.2', `jackson-${a}-2.17.2.jar`),
);
const classpath = [join(pkg, 'target/classes'), join(pkg, 'target/test-classes'), ...jackson].join(':');

const server = await startTarget('targets/kami-server.mjs', [JSON.stringify({ db: 'memory' })]);
try {
  const { url, appKey, routes, card } = server.info;
  log('running LoginBench');
  const res = spawnSync('java', ['-cp', classpath, 'dev.kamiverify.LoginBench'], {
    cwd: pkg,
    env: {
      ...process.env,
      KAMI_BENCH_URL: url,
      KAMI_BENCH_APPKEY: appKey,
      KAMI_BENCH_ROUTES: JSON.stringify(routes),
      KAMI_BENCH_CARD: card,
      KAMI_BENCH_BLOCKS: quick ? '21' : '61',
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`LoginBench failed: ${res.stdout}`);
  const r = JSON.parse(res.stdout.trim().split('\n').pop());
  log(`login SDK ÷ raw: sequential ${r.sequentialRatio}, concurrent ${r.concurrentRatio}`);
  console.log(
    JSON.stringify({
      language: 'java',
      sequentialRatio: r.sequentialRatio,
      concurrentRatio: r.concurrentRatio,
      target: 1.15,
      details: { scenario: 'login', concurrency: 8, ...r },
    }),
  );
} finally {
  await server.stop();
}
