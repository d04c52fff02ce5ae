// Runs the built operator CLI (dist/cli/kami.js, or dist/cli.js for `kami-server <group>`) as a
// real process, the way an operator's shell does: stdout, stderr and the exit code.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const serverRoot = join(__dirname, '..', '..');
export const kamiBin = join(serverRoot, 'dist', 'cli', 'kami.js');
export const kamiServerBin = join(serverRoot, 'dist', 'cli.js');

/** Builds once when the output is missing (a fresh clone). */
export function ensureBuilt(): void {
  if (existsSync(kamiBin) && existsSync(kamiServerBin)) return;
  const built = spawnSync('npx', ['tsup'], { cwd: serverRoot, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('tsup build failed');
}

export interface KamiRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KamiOptions {
  env?: Record<string, string | undefined>;
  bin?: string;
  cwd?: string;
  input?: string;
}

export function kami(args: readonly string[], options: KamiOptions = {}): Promise<KamiRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  // The operator's environment must not leak into tests (a KAMI_TOKEN of the person running them).
  for (const k of ['KAMI_URL', 'KAMI_TOKEN', 'DATABASE_URL'])
    if (!(options.env && k in options.env)) delete env[k];
  const child = spawn(process.execPath, [options.bin ?? kamiBin, ...args], {
    cwd: options.cwd ?? serverRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
