import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '@kami-verify/server/testing';
import { describe, expect, it } from 'vitest';
import { followRealTime, onCleanup } from './helpers';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const cli = join(repoRoot, 'examples', 'licensed-cli', 'src', 'main.mjs');

function run(args: string[], env: Record<string, string>, onStdout?: (text: string) => void) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(() => child.kill());
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
    onStdout?.(out);
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d;
  });
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out })),
  );
}

describe('examples/licensed-cli', () => {
  it('logs in, beats, and exits 3 with a clear message when the card is disabled', async () => {
    const s = await startTestServer({ settings: { statecodeValiditySeconds: 2 } });
    onCleanup(() => s.close());
    followRealTime(s.clock);
    const card = await s.mintCard();
    const env = {
      KAMI_URL: s.url,
      KAMI_APPKEY: s.app.appKey,
      KAMI_LOGIN_CODE: s.app.routes.login,
      KAMI_HEARTBEAT_CODE: s.app.routes.heartbeat,
      KAMI_VALIDITY_SECONDS: '2',
      KAMI_MACHINE_CODE: 'CLI-TEST',
    };

    const once = await run(['--card', card, '--once'], env);
    expect(once.code).toBe(0);
    expect(once.out).toMatch(
      /Licensed until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time\), 1天; machine code CLI-TEST/,
    );

    let disabled = false;
    const result = await run(['--card', card], env, (out) => {
      if (!disabled && out.includes('[licence] ok (beat 1)')) {
        disabled = true;
        void s.disableCard(card);
      }
    });
    expect(result.code).toBe(3);
    expect(result.out).toMatch(
      /Licence lost: (This card has been disabled|The licence server ended this session)/,
    );
  });

  it('exits 2 on a usage error', async () => {
    const result = await run([], { KAMI_CARD: '' });
    expect(result.code).toBe(2);
    expect(result.out).toContain('no card');
  });
});
