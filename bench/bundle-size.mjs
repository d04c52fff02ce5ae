// The browser bundle a page pays for login + heartbeat, as the browser package's own budget
// script measures it (one definition of "login + heartbeat" for the budget and the bench).
import { execFileSync } from 'node:child_process';

const script = new URL('../packages/browser/scripts/check-size.mjs', import.meta.url).pathname;
let out;
try {
  out = execFileSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
} catch (error) {
  out = `${error.stdout ?? ''}`; // over budget still reports the sizes
}
const min = /min [\d.]+ KB \((\d+) B\)/.exec(out);
const gz = /min\+gzip [\d.]+ KB \((\d+) B\)/.exec(out);
const budget = /budget [\d.]+ KB \((\d+) B\)/.exec(out);
if (!min || !gz || !budget) throw new Error(`could not read the size report: ${out}`);
// The budget is the browser package's own (its size script), not restated here.
console.log(
  JSON.stringify({ minBytes: Number(min[1]), gzipBytes: Number(gz[1]), budgetBytes: Number(budget[1]) }),
);
