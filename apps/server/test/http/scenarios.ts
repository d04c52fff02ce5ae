// Scenarios shared by the embedded-store and PostgreSQL runs.
import { expect } from 'vitest';
import type { TestServer } from '../../src/testing';
import { clientFor, potato, potatoAuth, randomImei, t3 } from './helpers';

/** 100 parallel first logins with distinct machine codes on one card bind exactly one. */
export async function parallelFirstLogins(server: TestServer, attempts = 100): Promise<void> {
  const card = await server.mintCard();
  const imeis = Array.from({ length: attempts }, () => randomImei());
  const results = await Promise.all(
    imeis.map((imei) =>
      t3(server, server.app.record, 'login', [
        ['kami', card],
        ['imei', imei],
      ]),
    ),
  );
  expect(results.every((r) => r.status === 200)).toBe(true);
  const winners = results.filter((r) => r.body.code === '200');
  expect(winners).toHaveLength(1);
  expect(results.filter((r) => r.body.msg === '请在原设备登录')).toHaveLength(attempts - 1);
  const bound = winners[0]!.body.imei;
  expect((await server.getCard(card))?.imei).toBe(bound);
}

/** A count card with N uses under 4N parallel logins succeeds exactly N times. */
export async function parallelCountCard(server: TestServer, uses = 10): Promise<void> {
  const card = await server.mintCard({ uses });
  const results = await Promise.all(
    Array.from({ length: uses * 4 }, () =>
      t3(server, server.app.record, 'login', [
        ['kami', card],
        ['imei', 'COUNT-DEVICE'],
      ]),
    ),
  );
  expect(results.filter((r) => r.body.code === '200')).toHaveLength(uses);
  expect(results.filter((r) => r.body.msg === '卡密使用次数已达上限')).toHaveLength(uses * 3);
  expect((await server.getCard(card))?.usesLeft).toBe(0);
}

/** Login, heartbeat, expiry by the clock: the session life cycle. */
export async function loginAndHeartbeat(server: TestServer): Promise<void> {
  const card = await server.mintCard({ type: 0 });
  const client = clientFor(server);
  const login = await client.login(card, 'LIFE');
  expect(login.amount).toBe('1天');
  expect((await client.heartbeat(login.statecode)).msg).toBe('在线');
  server.clock.advance({ days: 1, seconds: 1 });
  const res = await t3(server, server.app.record, 'login', [
    ['kami', card],
    ['imei', 'LIFE'],
  ]);
  expect(res.body.msg).toBe('卡密已到期');
}

/** potatocloud login + createCardMy + list, and a created card logging in. */
export async function createAndUseCards(server: TestServer): Promise<void> {
  const auth = await potatoAuth(server);
  const created = await potato(server, 'createCardMy', { type: 2, total: 10 }, auth);
  expect(created.body.code).toBe('200');
  expect(created.body.data).toHaveLength(10);
  const card = created.body.data[3];
  expect(card.cardStr).toMatch(/^[0-9A-F]{32}$/);
  expect(card.id).toMatch(/^\d+$/);
  const list = await potato(server, 'getCardMyList', { cardStr: card.cardStr }, auth);
  expect(list.body.data.list).toEqual([card]);
  expect((await clientFor(server).login(card.cardStr, 'POTATO')).amount).toBe('30天');
}

/** Card creation in parallel never hands out a duplicate key or id. */
export async function parallelCreation(server: TestServer): Promise<void> {
  const auth = await potatoAuth(server);
  const batches = await Promise.all(
    Array.from({ length: 20 }, () => potato(server, 'createCardMy', { type: 0, total: 10 }, auth)),
  );
  const cards = batches.flatMap((b) => b.body.data as Array<{ id: string; cardStr: string }>);
  expect(cards).toHaveLength(200);
  expect(new Set(cards.map((c) => c.id)).size).toBe(200);
  expect(new Set(cards.map((c) => c.cardStr)).size).toBe(200);
}
