// Real kami-server processes from the build, for the multi-process suites.
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { createFetchTransport } from '@kami-verify/core';

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

type FetchImpl = NonNullable<Parameters<typeof createFetchTransport>[0]>;

/**
 * fetch over a new connection per request: on a loaded machine a test can outlast the server's
 * keep-alive timeout, and a request sent on a connection the server is closing fails ambiguously
 * (a login may or may not have committed), which exact counts cannot tell apart. `localAddress`
 * picks the client's loopback address (127.0.0.0/8), so tests can be several clients.
 */
export const freshConnectionFetch =
  (localAddress?: string): FetchImpl =>
  (url, init) =>
    new Promise((resolve, reject) => {
      const options = {
        method: init.method,
        headers: init.headers,
        agent: false,
        signal: init.signal,
        ...(localAddress ? { localAddress } : {}),
      };
      const req = httpRequest(url, options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: new Headers(
              Object.entries(res.headers).map(([k, v]): [string, string] => [k, String(v)]),
            ),
            text: async () => body,
          }),
        );
      });
      req.on('error', reject);
      req.end(init.body);
    });
