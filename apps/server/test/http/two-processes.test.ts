import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFetchTransport, createVerify, KamiApiError, type VerifyClient } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase } from './db';
import { md5, randomImei } from './helpers';
import { type Proc, startProcess, stopProcess } from './processes';

const _cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const APP_KEY = 'twoprocessesappkey0123456789abcd';
const ASK_KEY = 'twoprocessesaskkey';
const ROUTES = { login: 'C000000000000001', heartbeat: 'C000000000000002', unbind: 'C000000000000004' };
const BIND_CARD = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';
const COUNT_CARD = '0F1E2D3C4B5A69788796A5B4C3D2E1F0';
const USES = 10;

const client = (url: string): VerifyClient =>
  createVerify({
    baseUrl: url,
    appKey: APP_KEY,
    routes: ROUTES,
    md5,
    transport: createFetchTransport(),
    maxRetries: 0,
    potato: { askKey: ASK_KEY, userNumber: 'reseller', passWord: 'two-processes-pw' },
  });

describe.skipIf(!POSTGRES_ADMIN_URL)('two server processes on one PostgreSQL', () => {
  let store: TestDatabase;
  let dir: string;
  let a: Proc;
  let b: Proc;
  let clients: [VerifyClient, VerifyClient];
  let boundImei = ''; // the machine code that won the first race

  beforeAll(async () => {
    store = await freshPostgres(POSTGRES_ADMIN_URL!);
    dir = mkdtempSync(join(tmpdir(), 'kami-two-'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        apps: [
          {
            name: 'race',
            appKey: APP_KEY,
            askKey: ASK_KEY,
            routes: ROUTES,
            potatoUsers: [{ userNumber: 'reseller', passWord: 'two-processes-pw' }],
            cards: [
              { cardStr: BIND_CARD, card: { kind: 'time', type: 2 } },
              { cardStr: COUNT_CARD, card: { kind: 'count', uses: USES } },
            ],
          },
        ],
        server: { throttle: false },
      }),
    );
    [a, b] = await Promise.all([startProcess(store.db, config), startProcess(store.db, config)]);
    clients = [client(a.url), client(b.url)];
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stopProcess(a), stopProcess(b)]);
    await store?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('100 parallel first logins with distinct machine codes, split across both, bind exactly one', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => clients[i % 2]!.login(BIND_CARD, randomImei())),
    );
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    boundImei = won[0]!.imei;
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(lost.every((e) => KamiApiError.isInstance(e) && e.code === 'DEVICE_MISMATCH')).toBe(true);
  });

  it(`a count card with ${USES} uses under ${4 * USES} logins across both succeeds exactly ${USES} times`, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 * USES }, (_, i) => clients[i % 2]!.login(COUNT_CARD, 'COUNT-DEVICE')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(USES);
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(lost.every((e) => KamiApiError.isInstance(e) && e.code === 'CARD_USES_EXHAUSTED')).toBe(true);
  });

  it('a session started on one process is kept alive and ended on the other', async () => {
    const session = await clients[0].login(BIND_CARD, boundImei);
    expect((await clients[1].heartbeat(session.statecode)).msg).toBe('在线');
    await clients[1].unbind(BIND_CARD, session.imei);
    const gone = await clients[0].heartbeat(session.statecode).catch((e: unknown) => e);
    expect(KamiApiError.isInstance(gone) && gone.code).toBe('STATECODE_NOT_FOUND');
  });

  it('cards created in parallel on both processes get unique ids and keys', async () => {
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_, i) => clients[i % 2]!.createCardMy({ type: 0, total: 10 })),
    );
    const cards = batches.flat();
    expect(cards).toHaveLength(200);
    expect(new Set(cards.map((c) => c.id)).size).toBe(200);
    expect(new Set(cards.map((c) => c.cardStr)).size).toBe(200);
  });
});
