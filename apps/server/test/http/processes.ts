// Real kami-server processes from the build, for the multi-process suites.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Proc {
  url: string;
  child: ChildProcess;
}

/** Starts `kami-server --port 0 --db <db> --config <config>`; resolves with its URL. */
export function startProcess(db: string, config: string): Promise<Proc> {
  const child = spawn(process.execPath, [cli, '--port', '0', '--db', db, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (url) => resolve({ url, child }));
    child.once('exit', (code) => reject(new Error(`kami-server exited with ${code}: ${stderr}`)));
  });
}

/** SIGTERM, then wait for the exit. */
export async function stopProcess(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  await exited;
}
