// The documented connection limits hold: stalled headers and stalled bodies are closed within
// about a second of their timeout (not up to 30 s later), and connections beyond the cap are
// closed at once. Raw sockets, so nothing on the client side completes a request for us.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';

let server: TestServer;
let port: number;
const open: Socket[] = [];

beforeAll(async () => {
  server = await startTestServer({
    server: { headersTimeoutSeconds: 2, requestTimeoutSeconds: 3, maxConnections: 4 },
  });
  port = Number(new URL(server.url).port);
}, 60_000);

afterAll(async () => {
  for (const s of open) s.destroy();
  await server?.close();
});

function socket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    open.push(s);
  });
}

/** Resolves with the seconds until the server ends the connection, and what it sent. */
function untilClosed(s: Socket, since: number): Promise<{ seconds: number; data: string }> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (c: Buffer) => {
      data += c.toString();
    });
    s.on('close', () => resolve({ seconds: (Date.now() - since) / 1000, data }));
  });
}

describe('connection limits', () => {
  it('stalled headers are cut at the headers timeout, not up to 30 s later', {
    timeout: 30_000,
  }, async () => {
    const s = await socket();
    const since = Date.now();
    s.write('POST /api/login HTTP/1.1\r\nHost: x\r\n'); // never finished
    const { seconds } = await untilClosed(s, since);
    expect(seconds).toBeGreaterThanOrEqual(1.9);
    expect(seconds).toBeLessThan(2 + 3); // the timeout plus one check interval, with room for a busy machine
  });

  it('a stalled body gets 408 at the request timeout', { timeout: 30_000 }, async () => {
    const s = await socket();
    const since = Date.now();
    s.write(
      'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"',
    );
    const { seconds, data } = await untilClosed(s, since);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
    expect(seconds).toBeGreaterThanOrEqual(2.9);
    expect(seconds).toBeLessThan(3 + 3);
  });

  it('connections beyond maxConnections are closed at once; the others are served', {
    timeout: 30_000,
  }, async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => socket()));
    const extra = await socket();
    const { data } = await untilClosed(extra, Date.now());
    expect(data).toBe('');
    // A held connection still gets an answer.
    const first = held[0]!;
    const answered = new Promise<string>((resolve) =>
      first.once('data', (c: Buffer) => resolve(c.toString())),
    );
    first.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);
    for (const s of held) s.destroy();
  });
});
