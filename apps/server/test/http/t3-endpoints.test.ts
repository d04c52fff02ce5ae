// heartbeat, query, unbind, notice, version, check_update over HTTP.
import { formatBeijingMinute, T3_MESSAGES, T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, clientFor, randomImei, t3 } from './helpers';

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    settings: {
      notice: '今晚维护',
      version: '1.2.0',
      update: { version: '1.3.0', uplog: '修复若干问题', upurl: 'https://example.com/app-1.3.0.zip' },
      statecodeValiditySeconds: 600,
      unbindLimit: 1,
    },
    apps: [{ name: 'long-session', settings: { statecodeValiditySeconds: 30 * 86_400 } }],
  });
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const err = (msg: string) => ({ code: '201', msg });

describe('heartbeat', () => {
  it('answers {code, msg: 在线, time, date} for a live statecode, with or without kami', async () => {
    const card = await server.mintCard();
    const login = await clientFor(server).login(card, 'HB');
    const res = await t3(server, server.app.record, 'heartbeat', [['statecode', login.statecode]]);
    const now = Math.floor(server.clock.now() / 1000);
    expect(res.body).toEqual({
      code: '200',
      msg: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE,
      time: now,
      date: formatBeijingMinute(now),
    });
    expect(Object.keys(res.body)).toEqual(['code', 'msg', 'time', 'date']);
    const sdk = await clientFor(server).heartbeat(login.statecode, { kami: card });
    expect(sdk.msg).toBe('在线');
  });

  it('状态码不可为空 / 状态码不存在', async () => {
    expect((await t3(server, server.app.record, 'heartbeat', [])).body).toEqual(
      err(T3_MESSAGES.STATECODE_REQUIRED),
    );
    expect((await t3(server, server.app.record, 'heartbeat', [['statecode', 'f'.repeat(32)]])).body).toEqual(
      err(T3_MESSAGES.STATECODE_NOT_FOUND),
    );
  });

  it('keeps a session alive while beats come within the validity, and ends it after', async () => {
    const login = await clientFor(server).login(await server.mintCard(), 'HB2');
    const beat = () =>
      t3(server, server.app.record, 'heartbeat', [['statecode', login.statecode]]).then((r) => r.body);
    server.clock.advance({ seconds: 500 });
    expect((await beat()).code).toBe('200');
    server.clock.advance({ seconds: 500 });
    expect((await beat()).code).toBe('200');
    server.clock.advance({ seconds: 601 });
    expect(await beat()).toEqual(err(T3_MESSAGES.STATECODE_NOT_FOUND));
  });

  it('ends kicked sessions', async () => {
    const card = await server.mintCard();
    const login = await clientFor(server).login(card, 'KICK');
    expect(await server.kickSessions(card)).toBeGreaterThanOrEqual(1);
    const res = await t3(server, server.app.record, 'heartbeat', [['statecode', login.statecode]]);
    expect(res.body).toEqual(err(T3_MESSAGES.STATECODE_NOT_FOUND));
  });

  it('the licence expires mid-session: 卡密已到期 on the next beat', async () => {
    const app = appNamed(server, 'long-session');
    const card = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    const client = clientFor(server, app);
    const login = await client.login(card, 'MID');
    server.clock.advance({ hours: 23, minutes: 59 });
    await expect(client.heartbeat(login.statecode)).resolves.toMatchObject({ msg: '在线' });
    server.clock.advance({ minutes: 2 });
    const res = await t3(server, app, 'heartbeat', [['statecode', login.statecode]]);
    expect(res.body).toEqual(err(T3_MESSAGES.CARD_EXPIRED));
  });

  it('a card disabled mid-session: 卡密被禁用 on the next beat', async () => {
    const card = await server.mintCard();
    const login = await clientFor(server).login(card, 'DIS');
    await server.disableCard(card);
    const res = await t3(server, server.app.record, 'heartbeat', [['statecode', login.statecode]]);
    expect(res.body).toEqual(err(T3_MESSAGES.CARD_DISABLED));
  });
});

describe('query', () => {
  it('returns the card state with code first', async () => {
    const card = await server.mintCard({ type: 1 });
    await clientFor(server).login(card, 'Q');
    const res = await t3(server, server.app.record, 'query', [['kami', card]]);
    expect(Object.keys(res.body)[0]).toBe('code');
    expect(res.body.code).toBe('200');
    const sdk = await clientFor(server).query(card);
    expect(sdk.amount).toBe('7天');
    expect(sdk.endTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('卡密不可为空 / 卡密不存在', async () => {
    expect((await t3(server, server.app.record, 'query', [])).body).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
    expect((await t3(server, server.app.record, 'query', [['kami', 'MISSING']])).body).toEqual(
      err(T3_MESSAGES.CARD_NOT_FOUND),
    );
  });
});

describe('unbind', () => {
  it('frees the card for another machine and counts toward change', async () => {
    const card = await server.mintCard();
    const client = clientFor(server);
    await client.login(card, 'OLD');
    const res = await t3(server, server.app.record, 'unbind', [
      ['kami', card],
      ['imei', 'OLD'],
    ]);
    expect(res.body).toMatchObject({ code: '200', msg: T3_SUCCESS_MESSAGES.UNBIND_OK, change: 1 });
    const moved = await client.login(card, 'NEW');
    expect(moved.imei).toBe('NEW');
    expect(moved.change).toBe(1);
  });

  it('解绑次数已达上限 past the app limit', async () => {
    const card = await server.mintCard();
    const client = clientFor(server);
    await client.login(card, 'A1');
    await client.unbind(card, 'A1');
    await client.login(card, 'A2');
    const res = await t3(server, server.app.record, 'unbind', [
      ['kami', card],
      ['imei', 'A2'],
    ]);
    expect(res.body).toEqual(err(T3_MESSAGES.UNBIND_LIMIT_REACHED));
  });

  it('field errors: 卡密不可为空, 机器码不可为空, 机器码不合法', async () => {
    const app = server.app.record;
    expect((await t3(server, app, 'unbind', [['imei', 'X']])).body).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
    expect((await t3(server, app, 'unbind', [['kami', 'X']])).body).toEqual(err(T3_MESSAGES.DEVICE_REQUIRED));
    expect(
      (
        await t3(server, app, 'unbind', [
          ['kami', 'X'],
          ['imei', "a'b"],
        ])
      ).body,
    ).toEqual(err(T3_MESSAGES.DEVICE_INVALID));
  });

  it('refuses a stranger: another machine code, an unbound or unknown card', async () => {
    const app = server.app.record;
    const card = await server.mintCard();
    await clientFor(server).login(card, 'OWNER');
    const stranger = await t3(server, app, 'unbind', [
      ['kami', card],
      ['imei', randomImei()],
    ]);
    expect(stranger.body.code).toBe('201');
    expect([T3_MESSAGES.DEVICE_MISMATCH]).toContain(stranger.body.msg);
    const fresh = await server.mintCard();
    const unbound = await t3(server, app, 'unbind', [
      ['kami', fresh],
      ['imei', 'X'],
    ]);
    expect(unbound.body).toEqual(err(T3_MESSAGES.CARD_NOT_BOUND));
    const unknown = await t3(server, app, 'unbind', [
      ['kami', 'NOPE'],
      ['imei', 'X'],
    ]);
    expect(unknown.body).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
  });
});

describe('notice, version, check_update', () => {
  it('notice: {code, msg}', async () => {
    expect((await t3(server, server.app.record, 'notice', [])).body).toEqual({
      code: '200',
      msg: '今晚维护',
    });
    expect((await clientFor(server).notice()).msg).toBe('今晚维护');
  });

  it('version: {code, ver, msg}', async () => {
    const res = await t3(server, server.app.record, 'version', []);
    expect(res.body).toEqual({ code: '200', ver: '1.2.0', msg: '1.2.0' });
    expect((await clientFor(server).version()).version).toBe('1.2.0');
  });

  it('check_update: 版本号不可为空, 201 已是最新版, 200 with the update', async () => {
    const app = server.app.record;
    expect((await t3(server, app, 'check_update', [])).body).toEqual(err(T3_MESSAGES.VERSION_REQUIRED));
    expect((await t3(server, app, 'check_update', [['ver', '1.3.0']])).body).toEqual({
      code: '201',
      msg: T3_SUCCESS_MESSAGES.ALREADY_LATEST,
    });
    expect((await t3(server, app, 'check_update', [['ver', '1.2.0']])).body).toEqual({
      code: '200',
      ver: '1.3.0',
      version: '1.3.0',
      uplog: '修复若干问题',
      upurl: 'https://example.com/app-1.3.0.zip',
    });
    const client = clientFor(server);
    expect(await client.checkUpdate('1.3.0')).toMatchObject({ latest: true });
    expect(await client.checkUpdate('1.0.0')).toMatchObject({ latest: false, version: '1.3.0' });
  });
});
