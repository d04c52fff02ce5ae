// Runs `mvn -B verify` (Maven resolves the pinned versions from Maven Central on first use and
// reuses ~/.m2 afterwards), then prints `java: N passed, M failed` from the Surefire reports.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'target', 'surefire-reports');
rmSync(reports, { recursive: true, force: true }); // never count an earlier run's reports

const mvn = process.platform === 'win32' ? 'mvn.cmd' : 'mvn';
const run = spawnSync(mvn, ['-B', '--no-transfer-progress', '-q', '-Dstyle.color=never', 'verify'], {
  cwd: root,
  stdio: 'inherit',
});

let tests = 0;
let bad = 0;
if (existsSync(reports)) {
  for (const f of readdirSync(reports)) {
    if (!/^TEST-.*\.xml$/.test(f)) continue;
    const head = readFileSync(join(reports, f), 'utf8').match(/<testsuite [^>]*>/);
    if (!head) continue;
    const attr = (name) => Number((head[0].match(new RegExp(` ${name}="(\\d+)"`)) || [0, 0])[1]);
    tests += attr('tests') - attr('skipped');
    bad += attr('failures') + attr('errors');
  }
}
const failed = run.status === 0 ? bad : Math.max(bad, 1);
console.log(`java: ${tests - bad} passed, ${failed} failed`);
process.exit(run.status === 0 && bad === 0 ? 0 : 1);
