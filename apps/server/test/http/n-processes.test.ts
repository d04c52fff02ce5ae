import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFetchTransport, createVerify, KamiApiError, type VerifyClient } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKamiService, type KamiServiceHandle } from '../../src/domain/index';
import type { AppConfig, AppRecord } from '../../src/domain/types';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase } from './db';
import { md5, randomImei } from './helpers';
import { freshConnectionFetch, type Proc, startProcess, stopProcess } from './processes';

const _cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const APP_KEY = 'nprocessesappkey0123456789abcdef';
const ROUTES = {
  login: 'D000000000000001',
  heartbeat: 'D000000000000002',
  unbind: 'D000000000000004',
  kami_recharge: 'D000000000000008',
};
/** The client names routes in camelCase. */
const CLIENT_ROUTES = { ...ROUTES, kamiRecharge: ROUTES.kami_recharge };
const USES = 10;
const card = (n: number) => `${String(n).padStart(2, '0')}${'C'.repeat(30)}`;
const BIND_CARD = card(1);
const COUNT_CARD = card(2);
const UNBIND_CARD = card(3);
const KICK_CARD = card(4);
const DISABLE_CARD = card(5);
/** One source recharged into many targets at once, and many sources into one target. */
const RECHARGE_SOURCE = card(6);
const RECHARGE_TARGETS = Array.from({ length: 30 }, (_, i) => card(10 + i));
const SHARED_TARGET = card(7);
const SOURCES = Array.from({ length: 10 }, (_, i) => card(50 + i));
/** Count cards used all at once from every process: each batch updates several of them. */
const MANY_COUNT_CARDS = Array.from({ length: 20 }, (_, i) => card(70 + i));
const MANY_USES = 5;
const DAY = 86_400;

const client = (url: string): VerifyClient =>
  createVerify({
    baseUrl: url,
    appKey: APP_KEY,
    routes: CLIENT_ROUTES,
    md5,
    transport: createFetchTransport(freshConnectionFetch()),
    maxRetries: 0,
  });

const errorCode = (e: unknown) => (KamiApiError.isInstance(e) ? e.code : e);

const appConfig: AppConfig = {
  name: 'nproc',
  appKey: APP_KEY,
  routes: ROUTES,
  settings: { unbindLimit: 1000 },
  cards: [
    { cardStr: BIND_CARD, card: { kind: 'time', type: 2 } },
    { cardStr: COUNT_CARD, card: { kind: 'count', uses: USES } },
    { cardStr: UNBIND_CARD, card: { kind: 'time', type: 4 } },
    { cardStr: KICK_CARD, card: { kind: 'time', type: 2 } },
    { cardStr: DISABLE_CARD, card: { kind: 'time', type: 2 } },
    ...MANY_COUNT_CARDS.map((cardStr) => ({ cardStr, card: { kind: 'count' as const, uses: MANY_USES } })),
    ...[RECHARGE_SOURCE, SHARED_TARGET, ...RECHARGE_TARGETS, ...SOURCES].map((cardStr) => ({
      cardStr,
      card: { kind: 'time' as const, type: 0 },
    })),
  ],
} as AppConfig;

for (const n of [2, 3]) {
  describe.skipIf(!POSTGRES_ADMIN_URL)(`${n} server processes on one PostgreSQL`, () => {
    let store: TestDatabase;
    let dir: string;
    let procs: Proc[] = [];
    let clients: VerifyClient[] = [];
    let admin: KamiServiceHandle;
    let app: AppRecord;
    const on = (i: number) => clients[i % n]!;

    beforeAll(async () => {
      store = await freshPostgres(POSTGRES_ADMIN_URL!);
      dir = mkdtempSync(join(tmpdir(), 'kami-n-'));
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ apps: [appConfig], server: { throttle: false } }));
      procs = await Promise.all(Array.from({ length: n }, () => startProcess(store.db, config)));
      clients = procs.map((p) => client(p.url));
      admin = await createKamiService({
        db: { kind: 'postgres', url: store.db },
        clock: { now: () => Date.now() },
        apps: [appConfig],
      });
      app = admin.listApps()[0]!;
    }, 60_000);

    afterAll(async () => {
      await admin?.close();
      await Promise.all(procs.map(stopProcess));
      await store?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('100 parallel first logins with distinct machine codes, spread over the processes, bind exactly one', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => on(i).login(BIND_CARD, randomImei())),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(won).toHaveLength(1);
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [errorCode(r.reason)] : []));
      expect(new Set(lost)).toEqual(new Set(['DEVICE_MISMATCH']));
      expect((await admin.getCard({ app, cardStr: BIND_CARD }))?.imei).toBe(won[0]!.imei);
    });

    it(`a count card with ${USES} uses under ${4 * USES} parallel logins succeeds exactly ${USES} times`, async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 4 * USES }, (_, i) => on(i).login(COUNT_CARD, 'COUNT-DEVICE')),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(USES);
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [errorCode(r.reason)] : []));
      expect(new Set(lost)).toEqual(new Set(['CARD_USES_EXHAUSTED']));
      expect((await admin.getCard({ app, cardStr: COUNT_CARD }))?.usesLeft).toBe(0);
    });

    it(`${MANY_COUNT_CARDS.length} count cards of ${MANY_USES} uses under ${2 * MANY_COUNT_CARDS.length * MANY_USES} parallel logins: each used exactly ${MANY_USES} times`, async () => {
      // Every process batches logins of many of these cards into one statement, racing the
      // other processes' batches on the same rows.
      const logins = MANY_COUNT_CARDS.flatMap((cardStr) =>
        Array.from({ length: 2 * MANY_USES }, () => cardStr),
      );
      const results = await Promise.allSettled(
        logins.map((cardStr, i) => on(i).login(cardStr, 'MANY-DEVICE')),
      );
      const won = new Map<string, number>();
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') won.set(logins[i]!, (won.get(logins[i]!) ?? 0) + 1);
        else expect(errorCode(r.reason)).toBe('CARD_USES_EXHAUSTED');
      });
      for (const cardStr of MANY_COUNT_CARDS) {
        expect(won.get(cardStr)).toBe(MANY_USES);
        expect((await admin.getCard({ app, cardStr }))?.usesLeft).toBe(0);
      }
    });

    it('unbinds racing each other and re-logins: the card is unbound only with no live session', async () => {
      const imei = 'UNBIND-DEVICE';
      for (let round = 0; round < 5; round++) {
        const first = await on(round).login(UNBIND_CARD, imei);
        const before = (await admin.getCard({ app, cardStr: UNBIND_CARD }))!.change;
        const results = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            i % 3 === 0 ? on(i).unbind(UNBIND_CARD, imei) : on(i).login(UNBIND_CARD, imei),
          ),
        );
        const unbinds = results.filter((_, i) => i % 3 === 0);
        const logins = results.filter((_, i) => i % 3 !== 0);
        // Every unbind either ended a binding or found none; the unbind count is exactly the successes.
        const unbound = unbinds.filter((r) => r.status === 'fulfilled').length;
        for (const r of unbinds)
          if (r.status === 'rejected') expect(errorCode(r.reason)).toBe('CARD_NOT_BOUND');
        expect(unbound).toBeGreaterThan(0);
        const after = (await admin.getCard({ app, cardStr: UNBIND_CARD }))!;
        expect(after.change - before).toBe(unbound);
        for (const r of logins) if (r.status === 'rejected') throw r.reason;
        // No session survives the last unbind unless a login bound the card again after it.
        const statecodes = [
          first.statecode,
          ...logins.flatMap((r) =>
            r.status === 'fulfilled' ? [(r.value as { statecode: string }).statecode] : [],
          ),
        ];
        const live = await Promise.all(
          statecodes.map((s, i) =>
            on(i)
              .heartbeat(s)
              .then(
                () => true,
                (e: unknown) => {
                  expect(errorCode(e)).toBe('STATECODE_NOT_FOUND');
                  return false;
                },
              ),
          ),
        );
        if (after.imei === null) expect(live.filter(Boolean)).toHaveLength(0);
        else expect(after.imei).toBe(imei);
      }
    });

    it('one source card recharged into 30 targets at once, over the processes, is consumed exactly once', async () => {
      for (const [i, target] of RECHARGE_TARGETS.entries()) await on(i).login(target, 'RECHARGE-DEVICE');
      const before = await Promise.all(RECHARGE_TARGETS.map((cardStr) => admin.getCard({ app, cardStr })));
      const results = await Promise.allSettled(
        RECHARGE_TARGETS.map((target, i) => on(i).kamiRecharge(target, RECHARGE_SOURCE)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [errorCode(r.reason)] : []));
      expect(new Set(lost)).toEqual(new Set(['SOURCE_CARD_USED']));
      const after = await Promise.all(RECHARGE_TARGETS.map((cardStr) => admin.getCard({ app, cardStr })));
      const moved = after.map((c, i) => c!.expiresAt! - before[i]!.expiresAt!);
      expect(moved.filter((d) => d === DAY)).toHaveLength(1);
      expect(moved.filter((d) => d !== 0 && d !== DAY)).toEqual([]);
    });

    it('10 sources recharged into one target at once, over the processes: no recharge is lost', async () => {
      await on(0).login(SHARED_TARGET, 'SHARED-DEVICE');
      const before = (await admin.getCard({ app, cardStr: SHARED_TARGET }))!.expiresAt!;
      const results = await Promise.allSettled(
        SOURCES.map((source, i) => on(i).kamiRecharge(SHARED_TARGET, source)),
      );
      expect(
        results
          .filter((r) => r.status === 'rejected')
          .map((r) => errorCode((r as PromiseRejectedResult).reason)),
      ).toEqual([]);
      const after = (await admin.getCard({ app, cardStr: SHARED_TARGET }))!.expiresAt!;
      expect(after - before).toBe(SOURCES.length * DAY);
    });

    it('a kick through one process is refused by the heartbeats of every process at once', async () => {
      const sessions = await Promise.all(clients.map((c) => c.login(KICK_CARD, 'KICK-DEVICE')));
      for (const [i, s] of sessions.entries())
        expect((await on(i + 1).heartbeat(s.statecode)).msg).toBe('在线');
      // Logins of one device within one second may share a statecode: count distinct ones.
      const distinct = new Set(sessions.map((s) => s.statecode)).size;
      expect(await admin.kickSessions({ app, cardStr: KICK_CARD })).toBe(distinct);
      for (const s of sessions)
        for (const c of clients)
          expect(errorCode(await c.heartbeat(s.statecode).catch((e: unknown) => e))).toBe(
            'STATECODE_NOT_FOUND',
          );
    });

    it('a disable through one process is refused by the heartbeats of every process at once', async () => {
      const session = await on(0).login(DISABLE_CARD, 'DISABLE-DEVICE');
      for (const c of clients) expect((await c.heartbeat(session.statecode)).msg).toBe('在线');
      expect(await admin.setCardDisabled({ app, cardStr: DISABLE_CARD, disabled: true })).toBe(true);
      for (const c of clients)
        expect(errorCode(await c.heartbeat(session.statecode).catch((e: unknown) => e))).toBe(
          'CARD_DISABLED',
        );
    });
  });
}
