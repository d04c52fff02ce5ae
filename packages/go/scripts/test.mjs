// The Go package's test run for `npm test`: module download (Go module proxy), gofmt, go vet,
// staticcheck (pinned), `go test -race` over everything (vectors, unit, integration against the
// test harness, examples, fuzz seeds), then a short bounded fuzz run of each FuzzXxx.
// Ends with one line `go: N passed, M failed`: every test, subtest and example event of
// `go test -json`, each fuzz run, and the three static checks.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

const STATICCHECK = 'honnef.co/go/tools/cmd/staticcheck@v0.8.2';
const FUZZTIME = process.env.KAMI_GO_FUZZTIME ?? '5s';
const cwd = new URL('..', import.meta.url).pathname;
const goBin = ['go', '/usr/local/go/bin/go'].find((bin) => spawnSync(bin, ['version']).status === 0);
if (!goBin) {
  console.error('go: the Go toolchain (1.22 or newer) is not installed or not on PATH');
  console.log('go: 0 passed, 1 failed');
  process.exit(1);
}
// The race detector needs cgo. A toolchain found off PATH brings its gofmt along.
const env = { ...process.env, CGO_ENABLED: '1' };
const gofmtBin = goBin === 'go' ? 'gofmt' : join(dirname(goBin), 'gofmt');

let passed = 0;
let failed = 0;
const run = (args, opts = {}) =>
  spawnSync(goBin, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });

function check(name, result, ok = result.status === 0) {
  if (ok) {
    passed++;
    console.log(`go: ✓ ${name}`);
  } else {
    failed++;
    console.log(`go: ✗ ${name}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
}

// Modules from the Go module proxy (go.sum pins them); a no-op when cached.
const download = run(['mod', 'download'], { stdio: ['ignore', 'inherit', 'inherit'] });
if (download.status !== 0) {
  console.log('go: 0 passed, 1 failed');
  process.exit(1);
}
const gofmt = spawnSync(gofmtBin, ['-l', '.'], { cwd, encoding: 'utf8' });
check('gofmt', gofmt, gofmt.status === 0 && gofmt.stdout.trim() === '');
check('go vet', run(['vet', './...']));
check('staticcheck', run(['run', STATICCHECK, './...']));

// Every test, subtest, example and fuzz seed, with the race detector.
console.log('go: go test -race ./... (integration tests start the test harness)');
const test = run(['test', '-race', '-count=1', '-json', './...']);
const outputs = new Map();
let sawEvents = false;
for (const line of test.stdout.split('\n')) {
  if (!line.startsWith('{')) continue;
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    continue;
  }
  sawEvents = true;
  const key = `${event.Package} ${event.Test ?? ''}`;
  if (event.Action === 'output') outputs.set(key, (outputs.get(key) ?? '') + event.Output);
  if (event.Action === 'pass' && event.Test) passed++;
  if (event.Action === 'fail') {
    if (event.Test) failed++;
    process.stdout.write(`go: ✗ ${event.Test ?? event.Package}\n${outputs.get(key) ?? ''}`);
  }
}
if (test.status !== 0 && (!sawEvents || failed === 0)) {
  failed++; // a build failure or a crash outside any test
  console.log(`go: go test failed\n${test.stdout.slice(-4000)}${test.stderr}`);
}
if (test.stderr.trim()) process.stderr.write(test.stderr);

// A short bounded run of each fuzz target (its seeds already ran above).
const list = run(['test', '-list', '^Fuzz', '.']);
const targets = list.stdout.split('\n').filter((name) => name.startsWith('Fuzz'));
if (targets.length === 0) check('fuzz targets listed', list, false);
for (const target of targets) {
  // One worker: the machine is shared, and a worker starved of CPU can make the coordinator give
  // up on it. Such an infrastructure failure (no failing input written) gets one more try; a real
  // finding (an input written to testdata/fuzz) fails at once.
  const fuzz = () =>
    run(['test', '-run', '^$', '-fuzz', `^${target}$`, `-fuzztime=${FUZZTIME}`, '-parallel=1', '.']);
  let result = fuzz();
  if (result.status !== 0 && !/Failing input written/.test(result.stdout + result.stderr)) {
    console.log(
      `go: ${target}: the fuzz run failed without a failing input; retrying once\n${result.stdout}`,
    );
    result = fuzz();
  }
  check(`${target} (-fuzztime=${FUZZTIME})`, result);
}

console.log(`go: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
