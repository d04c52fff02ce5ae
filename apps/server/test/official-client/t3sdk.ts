// The official client t3sdk 1.0.1 in a private virtualenv (test/official-client/.venv, git-ignored),
// installed from PyPI with exactly the hash-locked packages, and a runner for run_t3sdk.py.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const OFFICIAL_CLIENT_DIR = __dirname;
const LOCK = join(OFFICIAL_CLIENT_DIR, 'requirements.lock');
const VENV = join(OFFICIAL_CLIENT_DIR, '.venv');
const PYTHON = join(VENV, 'bin', 'python');
const STAMP = join(VENV, '.requirements-sha256');

export type OfficialClient = { python: string } | { unavailable: string };

function why(error: unknown): string {
  const e = error as { stderr?: string; message?: string };
  const text = (e.stderr?.trim() || e.message || String(error)).split('\n');
  return text.slice(-6).join('\n');
}

/**
 * The virtualenv's python with t3sdk installed, made once per lock (the stamp holds the lock's
 * digest); or why it could not be made (no python3, no venv module, PyPI unreachable...).
 */
export async function officialClientPython(): Promise<OfficialClient> {
  const digest = createHash('sha256').update(readFileSync(LOCK)).digest('hex');
  if (existsSync(PYTHON) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === digest)
    return { python: PYTHON };
  rmSync(VENV, { recursive: true, force: true });
  try {
    await run('python3', ['-m', 'venv', VENV], { timeout: 120_000 });
  } catch (error) {
    return { unavailable: `cannot create a virtualenv with python3 -m venv: ${why(error)}` };
  }
  try {
    await run(
      PYTHON,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--no-input',
        '--disable-pip-version-check',
        '--require-hashes',
        '--only-binary=:all:',
        '-r',
        LOCK,
      ],
      { timeout: 300_000 },
    );
  } catch (error) {
    rmSync(VENV, { recursive: true, force: true });
    return { unavailable: `pip could not install t3sdk 1.0.1 from PyPI (${LOCK}): ${why(error)}` };
  }
  writeFileSync(STAMP, digest);
  return { python: PYTHON };
}

/** What one app looks like to t3sdk's init(). */
export interface ClientConfig {
  url: string;
  appkey: string;
  routes: Record<string, string>;
  mode: 'base64' | 'rsa';
  alphabet?: string;
  publicKey?: string;
}

export interface DriverInput {
  clients: Record<string, ClientConfig>;
  fixtures: Record<string, string>;
  /** Row labels to run; default every row of run_t3sdk.py's table. */
  only?: string[];
}

export type SdkResult = Record<string, unknown>;
export interface DriverOutput {
  /** label → the t3sdk method the row called. */
  calls: Record<string, string>;
  /** label → the dict t3sdk returned. */
  results: Record<string, SdkResult>;
}

/** Runs run_t3sdk.py's table. Asynchronous: the server answering it runs in this very process. */
export function runOfficialClient(python: string, input: DriverInput): Promise<DriverOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(OFFICIAL_CLIENT_DIR, 'run_t3sdk.py')], {
      // login's token uses datetime.now(): Beijing time, like the server's `date`.
      env: { ...process.env, TZ: 'Asia/Shanghai', PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 240_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status, signal) => {
      if (status !== 0) {
        reject(new Error(`run_t3sdk.py exited ${status ?? signal}:\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout) as DriverOutput);
    });
    child.stdin.end(JSON.stringify(input));
  });
}
