// Helpers for the benchmark orchestrator: child processes that print one JSON line.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const here = new URL('.', import.meta.url).pathname;

/** Starts a long-running target; resolves with its first JSON line and a stop(). */
export async function startTarget(script, args = []) {
  const child = spawn(process.execPath, [here + script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [first] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${script} exited with ${code} before it was ready`);
    }),
  ]);
  lines.on('line', () => {}); // drain
  return {
    info: JSON.parse(first),
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Runs a script to completion; resolves with the JSON of its last stdout line. */
export async function runJson(script, args = []) {
  const child = spawn(process.execPath, [here + script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${script} failed with exit code ${code}`);
  const last = out.trim().split('\n').pop();
  return JSON.parse(last);
}

export function ratio(a, b) {
  return b > 0 ? a / b : Number.NaN;
}

export function fmt(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}
