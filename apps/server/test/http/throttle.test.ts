// The guess throttle: every route that can be used to guess a secret is limited per client IP,
// a burst of simultaneous guesses is not evaluated past the limit, and on PostgreSQL server
// instances share one budget (and keep it across a restart).

import { POTATO_MESSAGES, T3_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUESSABLE_T3_ROUTES } from '../../src/http/throttle';
import { startTestServer, type TestServer } from '../../src/testing';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase, testDatabase } from './db';
import { clientFor, potato, t3 } from './helpers';

const LIMIT = 10;
const throttle = { maxFailures: LIMIT, windowSeconds: 60 };
let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({ db: store.db, server: { throttle, trustProxy: true } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

let nextIp = 1;
const freshIp = () => `203.0.113.${nextIp++}`;

type Guess = (ip: string) => Promise<number>;

const guesses: Record<string, Guess> = {
  'T3 login (card key)': async (ip) =>
    (
      await t3(
        server,
        server.app.record,
        'login',
        [
          ['kami', 'NOPE'],
          ['imei', 'X'],
        ],
        {
          headers: { 'x-forwarded-for': ip },
        },
      )
    ).status,
  'T3 heartbeat (statecode)': async (ip) =>
    (
      await t3(server, server.app.record, 'heartbeat', [['statecode', 'f'.repeat(32)]], {
        headers: { 'x-forwarded-for': ip },
      })
    ).status,
  'T3 query (card key existence)': async (ip) =>
    (await t3(server, server.app.record, 'query', [['kami', 'NOPE']], { headers: { 'x-forwarded-for': ip } }))
      .status,
  'T3 unbind (card key)': async (ip) =>
    (
      await t3(
        server,
        server.app.record,
        'unbind',
        [
          ['kami', 'NOPE'],
          ['imei', 'X'],
        ],
        {
          headers: { 'x-forwarded-for': ip },
        },
      )
    ).status,
  'potato login (password)': async (ip) =>
    (
      await potato(
        server,
        'login',
        { userNumber: server.potatoUser.userNumber, passWord: 'wrong' },
        { askKey: server.app.askKey, 'x-forwarded-for': ip },
      )
    ).status,
};

describe('guess throttle', () => {
  it.each(Object.entries(guesses))(
    '%s: of 200 simultaneous guesses, exactly the limit is evaluated',
    { timeout: 120_000 },
    async (_name, guess) => {
      const ip = freshIp();
      const statuses = await Promise.all(Array.from({ length: 200 }, () => guess(ip)));
      expect(statuses.filter((s) => s !== 429)).toHaveLength(LIMIT);
      expect(statuses.filter((s) => s === 429)).toHaveLength(200 - LIMIT);
    },
  );

  it('successes never use up the budget; concurrent good requests wait for a turn, never 429', async () => {
    const ip = freshIp();
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () =>
        t3(server, server.app.record, 'notice', [], { headers: { 'x-forwarded-for': ip } }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
    const card = await server.mintCard();
    const logins = await Promise.all(
      Array.from({ length: 50 }, () =>
        t3(server, server.app.record, 'query', [['kami', card]], { headers: { 'x-forwarded-for': ip } }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(new Set(logins)).toEqual(new Set([200]));
  });

  it('the 429 names its wait, and the potato one is in the envelope', async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) await guesses['potato login (password)']!(ip);
    const res = await potato(
      server,
      'login',
      { userNumber: server.potatoUser.userNumber, passWord: 'wrong' },
      { askKey: server.app.askKey, 'x-forwarded-for': ip },
    );
    expect(res.status).toBe(429);
    expect(res.body.message).toBe(POTATO_MESSAGES.RATE_LIMITED);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('guess throttle on a fake clock (5 failures a minute)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      db: store.db,
      server: { throttle: { maxFailures: 5, windowSeconds: 60 } },
    });
  }, 60_000);
  afterAll(() => server?.close());

  it('429 with Retry-After after the configured failures, until the window passes', async () => {
    const params: Array<[string, string]> = [
      ['kami', 'NOPE'],
      ['imei', 'X'],
    ];
    for (let i = 0; i < 5; i++) {
      const res = await t3(server, server.app.record, 'login', params);
      expect(res.status).toBe(200);
    }
    const blocked = await t3(server, server.app.record, 'login', params);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ code: 429, msg: T3_MESSAGES.RATE_LIMITED });
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // A correct login is throttled too (the IP is), endpoints that reveal nothing are not.
    const card = await server.mintCard();
    const error = await clientFor(server)
      .login(card, 'X')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await t3(server, server.app.record, 'notice', [])).status).toBe(200);
    // Potato login shares the failure budget of the IP.
    const p = await potato(server, 'login', server.potatoUser, { askKey: server.app.askKey });
    expect(p.status).toBe(429);
    expect(p.body.message).toBe(POTATO_MESSAGES.RATE_LIMITED);
    expect(p.headers.get('retry-after')).toBeTruthy();

    server.clock.advance({ seconds: retryAfter });
    await expect(clientFor(server).login(card, 'X')).resolves.toBeTruthy();
  });
});

describe.skipIf(!POSTGRES_ADMIN_URL)('guess throttle shared on PostgreSQL', () => {
  it('two server instances share one budget, and a restart keeps it', { timeout: 120_000 }, async () => {
    const db = await freshPostgres(POSTGRES_ADMIN_URL!);
    const options = { db: db.db, server: { throttle, trustProxy: true } };
    let a = await startTestServer(options);
    const b = await startTestServer(options);
    const ip = freshIp();
    const guess = (s: TestServer) =>
      t3(
        s,
        s.app.record,
        'login',
        [
          ['kami', 'NOPE'],
          ['imei', 'X'],
        ],
        { headers: { 'x-forwarded-for': ip } },
      ).then((r) => r.status);
    try {
      for (let i = 0; i < LIMIT; i++) expect(await guess(a)).toBe(200);
      expect(await guess(a)).toBe(429);
      // The other instance has seen no failure of this IP itself: it evaluates at most one
      // guess, learns the IP fails, then the shared count refuses.
      const onB = [];
      for (let i = 0; i < 5; i++) onB.push(await guess(b));
      expect(onB.filter((s) => s !== 429).length).toBeLessThanOrEqual(1);
      // A restarted instance forgets nothing the database holds.
      await a.close();
      a = await startTestServer(options);
      const afterRestart = [];
      for (let i = 0; i < 5; i++) afterRestart.push(await guess(a));
      expect(afterRestart.filter((s) => s !== 429).length).toBeLessThanOrEqual(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});

describe('which T3 routes are throttled', () => {
  it('every route taking a card key, statecode, password or login token; none of the public ones', () => {
    expect([...GUESSABLE_T3_ROUTES].sort()).toEqual(
      [
        'login',
        'heartbeat',
        'heartbeat_any',
        'query',
        'unbind',
        'ip_unbind',
        'disable',
        'kami_recharge',
        'get_kami_core',
        'modify_core',
        'get_variable',
        'modify_variable',
        'cloud_doc',
        'register',
        'user_login',
        'user_heartbeat',
        'recharge',
        'change_password',
        'user_cancel',
        'get_user_core',
      ].sort(),
    );
  });
});
