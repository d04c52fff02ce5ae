import * as core from '@kami-verify/core';
import { afterEach, describe, expect, it } from 'vitest';
import * as node from '../src/index';
import { createVerify } from '../src/index';
import { APP_KEY, fakeT3, ROUTES } from './helpers/fake-t3';
import { startHttpServer, type TestHttpServer } from './helpers/http-server';

const base = { baseUrl: 'http://kami.test', appKey: APP_KEY, routes: ROUTES };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('createVerify (node)', () => {
  it('needs no md5 or transport, and logs in with the computed machine code', async () => {
    const fake = fakeT3();
    const client = createVerify({
      ...base,
      transport: fake.transport,
      machineCode: { override: 'MACHINE-1' },
    });
    const session = await client.login('CARD-1');
    expect(fake.requests[0]!.fields).toMatchObject({ kami: 'CARD-1', imei: 'MACHINE-1' });
    expect(session).toMatchObject({ kami: 'CARD-1', machineCode: 'MACHINE-1', imei: 'MACHINE-1', id: 1 });
    expect(session.expiresAt).toBeInstanceOf(Date);
    expect(Math.abs(session.expiresAt!.getTime() - (Date.now() + 86_400_000))).toBeLessThan(2_000);
    expect(typeof session.startHeartbeat).toBe('function');
  });

  it('uses an explicit imei as given', async () => {
    const fake = fakeT3();
    const client = createVerify({ ...base, transport: fake.transport });
    const session = await client.login('CARD-1', 'EXPLICIT');
    expect(session.machineCode).toBe('EXPLICIT');
  });

  it('session.heartbeat() and session.startHeartbeat() use the session statecode; close() stops loops', async () => {
    const fake = fakeT3();
    const client = createVerify({
      ...base,
      transport: fake.transport,
      heartbeat: { intervalMs: 20, validitySeconds: 60 },
    });
    const session = await client.login('CARD-1', 'M');
    await expect(session.heartbeat()).resolves.toMatchObject({ msg: '在线' });
    expect(fake.requests.at(-1)!.fields).toMatchObject({ statecode: session.statecode, kami: 'CARD-1' });
    const hb = session.startHeartbeat();
    expect(hb.intervalMs).toBe(20);
    const beat = await new Promise((resolve) => hb.once('beat', (_r, info) => resolve(info)));
    expect(beat).toMatchObject({ count: 1, statecode: session.statecode });
    expect(fake.requests.at(-1)!.fields).toMatchObject({ statecode: session.statecode, kami: 'CARD-1' });
    await client.close();
    expect(await hb.stopped).toMatchObject({ reason: 'stopped' });
  });

  it('relogin updates the session object', async () => {
    const fake = fakeT3();
    const client = createVerify({ ...base, transport: fake.transport });
    const session = await client.login('CARD-1', 'M');
    const first = session.statecode;
    fake.statecodes.clear();
    const hb = session.startHeartbeat({ intervalMs: 20, validitySeconds: 60, relogin: true });
    await new Promise((resolve) => hb.once('beat', resolve));
    expect(session.statecode).not.toBe(first);
    expect(hb.statecode).toBe(session.statecode);
    await hb.stop();
  });

  it('client.startHeartbeat() works for any statecode and reports `lost`', async () => {
    const client = createVerify({ ...base, transport: fakeT3().transport });
    const hb = client.startHeartbeat({ statecode: 'unknown' }, { intervalMs: 10 });
    const end = await hb.stopped;
    expect(end).toMatchObject({
      reason: 'lost',
      lostReason: 'rejected',
      error: { code: 'STATECODE_NOT_FOUND' },
    });
  });

  it('talks HTTP through undici, and close() releases the sockets', async () => {
    const fake = fakeT3();
    const server: TestHttpServer = await startHttpServer((req, res, body) => {
      const reply = fake.respond(req.url ?? '', body);
      res.statusCode = reply.status;
      res.end(reply.body);
    });
    cleanups.push(() => server.close());
    const client = createVerify({ ...base, baseUrl: server.url, connectTimeoutMs: 1_000, maxRetries: 0 });
    const session = await client.login('CARD-1', 'M');
    await session.heartbeat();
    await client.close();
    const error = await session.heartbeat().catch((e: unknown) => e);
    expect(node.KamiConnectionError.isInstance(error) && error.phase).toBe('connect');
  });

  it('never resends a login that may have reached a server; heartbeats fail over', async () => {
    const fake = fakeT3();
    // Host A reads the request, then drops the connection: the login may have been processed.
    const hostA = await startHttpServer((req) => req.socket.destroy());
    let hitsB = 0;
    const hostB = await startHttpServer((req, res, body) => {
      hitsB++;
      const reply = fake.respond(req.url ?? '', body);
      res.statusCode = reply.status;
      res.end(reply.body);
    });
    cleanups.push(
      () => hostA.close(),
      () => hostB.close(),
    );
    const client = createVerify({ ...base, baseUrl: [hostA.url, hostB.url], maxRetries: 0 });
    cleanups.push(() => client.close());

    const error = await client.login('CARD-1', 'M').catch((e: unknown) => e);
    expect(node.KamiConnectionError.isInstance(error) && error.phase).toBe('unknown');
    expect(hitsB).toBe(0);

    const direct = createVerify({ ...base, baseUrl: hostB.url });
    cleanups.push(() => direct.close());
    const session = await direct.login('CARD-1', 'M');
    await expect(client.heartbeat(session.statecode)).resolves.toMatchObject({ msg: '在线' });
    expect(hitsB).toBe(2);
  });

  it('validates like core', () => {
    expect(() => createVerify({ ...base, baseUrl: 'ftp://x' })).toThrow(core.KamiValidationError);
    expect(() => createVerify({ ...base, connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/);
    expect(() => createVerify({ ...base, maxResponseBytes: Number.NaN })).toThrow(core.KamiValidationError);
  });
});

describe('public surface', () => {
  it("re-exports core's errors and helpers as the very same objects", () => {
    expect(node.KamiError).toBe(core.KamiError);
    expect(node.KamiApiError).toBe(core.KamiApiError);
    expect(node.computeLoginToken).toBe(core.computeLoginToken);
    expect(node.T3_MESSAGES).toBe(core.T3_MESSAGES);
  });

  it("exports its own createVerify, not core's", () => {
    expect(node.createVerify).not.toBe(core.createVerify);
  });

  it('exports the Node pieces', () => {
    for (const name of [
      'getMachineCode',
      'resolveMachineCode',
      'startHeartbeat',
      'Heartbeat',
      'createUndiciTransport',
      'nodeMd5',
    ]) {
      expect(typeof (node as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
