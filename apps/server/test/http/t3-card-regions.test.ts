// Region IP binding for cards (ipBinding 'province' / 'city'): the first located login binds the
// card's region; unbind and ip_unbind clear it; private addresses neither bind nor refuse. Runs on
// the embedded store and, in the PostgreSQL pass, on PostgreSQL.
import { T3_MESSAGES, T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, t3 } from './helpers';
import { otherProvince, sameProvince } from './region-addresses';

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    apps: [
      { name: 'province', settings: { ipBinding: 'province' as const } },
      { name: 'city', settings: { ipBinding: 'city' as const } },
    ],
    server: { trustProxy: true },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const err = (msg: string) => ({ code: '201', msg });

async function card(appName: 'province' | 'city') {
  const app = appNamed(server, appName);
  const { cardStr } = await server.service.mintCard({ app, card: { kind: 'permanent' } });
  const call = (route: 'login' | 'unbind' | 'ip_unbind', ip: string) =>
    t3(
      server,
      app,
      route,
      route === 'ip_unbind'
        ? [['kami', cardStr]]
        : [
            ['kami', cardStr],
            ['imei', 'D'],
          ],
      { headers: { 'X-Forwarded-For': ip } },
    ).then((r) => r.body);
  return {
    login: (ip: string) => call('login', ip),
    unbind: (ip: string) => call('unbind', ip),
    ipUnbind: (ip: string) => call('ip_unbind', ip),
    stored: () => server.service.getCard({ app, cardStr }),
  };
}

describe('card region binding (ip2region database)', () => {
  const [a, b] = sameProvince ?? [];
  const c = otherProvince;

  it('the database places the candidate addresses as the test needs', () => {
    expect([a, b, c].every(Boolean)).toBe(true);
  });

  it("'province': another city of the province passes, another province is 请在原省内登录", async () => {
    const k = await card('province');
    expect((await k.login(a!.ip)).code).toBe('200');
    expect((await k.stored())?.boundRegion).toBe(`${a!.r!.country}|${a!.r!.province}`);
    expect((await k.login(b!.ip)).code).toBe('200');
    expect(await k.login(c!.ip)).toEqual(err(T3_MESSAGES.PROVINCE_MISMATCH));
  });

  it("'city': the same city passes, another city is 请在市内登录", async () => {
    const k = await card('city');
    expect((await k.login(a!.ip)).code).toBe('200');
    expect((await k.login(a!.ip)).code).toBe('200');
    expect(await k.login(b!.ip)).toEqual(err(T3_MESSAGES.CITY_MISMATCH));
    expect((await k.stored())?.boundIp).toBeNull();
  });

  it('unbind clears the region with the device; ip_unbind clears the region alone', async () => {
    const k = await card('city');
    expect((await k.login(a!.ip)).code).toBe('200');
    expect(await k.unbind(b!.ip)).toMatchObject({ code: '200', msg: T3_SUCCESS_MESSAGES.UNBIND_OK });
    expect((await k.login(b!.ip)).code).toBe('200');
    expect(await k.ipUnbind(a!.ip)).toMatchObject({ code: '200', msg: T3_SUCCESS_MESSAGES.IP_UNBIND_OK });
    expect((await k.stored())?.boundRegion).toBeNull();
    expect(await k.ipUnbind(a!.ip)).toEqual(err(T3_MESSAGES.IP_NOT_BOUND));
    expect((await k.login(a!.ip)).code).toBe('200');
    expect(await k.login(b!.ip)).toEqual(err(T3_MESSAGES.CITY_MISMATCH));
  });

  it('private and loopback addresses have no region: nothing is bound, nothing refused', async () => {
    const k = await card('city');
    expect((await k.login('10.1.2.3')).code).toBe('200');
    expect((await k.login('127.0.0.1')).code).toBe('200');
    expect((await k.stored())?.boundRegion).toBeNull();
    expect((await k.login(a!.ip)).code).toBe('200');
    expect((await k.login('192.168.0.9')).code).toBe('200');
    expect(await k.login(b!.ip)).toEqual(err(T3_MESSAGES.CITY_MISMATCH));
  });

  it('parallel first logins from two cities bind one region', async () => {
    const k = await card('city');
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => k.login(i % 2 ? a!.ip : b!.ip)));
    const bound = (await k.stored())?.boundRegion;
    const winner = bound === `${a!.r!.country}|${a!.r!.province}|${a!.r!.city}` ? 1 : 0;
    expect(bound).not.toBeNull();
    expect(replies.map((r) => r.code)).toEqual(replies.map((_, i) => (i % 2 === winner ? '200' : '201')));
  });
});
