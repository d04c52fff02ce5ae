// createKamiService: the domain service behind the HTTP layer (see types.ts for the contract).

import { md5 } from '../md5';
import { openDatabase } from '../store/index';
import type { Database } from '../store/types';
import { AppCache, upsertApp } from './apps';
import { bulkCreateCards, deleteCard, getCard, kickSessions, mintCard, setCardDisabled } from './cards-admin';
import type { DomainContext } from './context';
import { EmbeddedStore } from './embedded';
import { createSnowflake } from './ids';
import { createCards, listCards, potatoLogin, resolveUserToken } from './potato';
import { SWEEP_EVERY_LOGINS, sweepExpired, sweepTokens } from './sweep';
import { heartbeat, login, query, unbind } from './t3';
import type { KamiService, ServiceOptions } from './types';

export { openDatabase } from '../store/index';
export type { Database, Queryable, QueryResult, Row } from '../store/types';
export { createSnowflake, newAppKey, newAskKey, newCardStr, newRouteCode, SNOWFLAKE_EPOCH_MS } from './ids';
export { defaultAppSettings, resolveSettings } from './settings';
export { wireId } from './t3';
export * from './types';

export type KamiServiceHandle = KamiService & {
  close(): Promise<void>;
  /** The underlying database (tests, benchmarks, admin tooling). */
  readonly db: Database;
  /** Deletes expired sessions and user tokens (also runs by itself every 1000 logins). */
  sweepExpired(): Promise<{ sessions: number; tokens: number }>;
};

const DEFAULT_USER_TOKEN_TTL_SECONDS = 7200;

/** Opens the database, migrates, upserts the configured apps (with users and cards), warms the cache. */
export async function createKamiService(options: ServiceOptions): Promise<KamiServiceHandle> {
  const db = await openDatabase(options.db);
  const cache = new AppCache();
  let ctx: DomainContext;
  try {
    const worker = await db.query<{ id: string }>(`SELECT nextval('snowflake_worker_seq')::text AS id`);
    ctx = {
      db,
      clock: options.clock,
      ids: createSnowflake(() => options.clock.now(), Number(worker.rows[0]?.id ?? 0)),
      md5,
      userTokenTtlSeconds: options.userTokenTtlSeconds ?? DEFAULT_USER_TOKEN_TTL_SECONDS,
    };
    const names = new Set<string>();
    for (const config of options.apps) {
      if (names.has(config.name)) throw new Error(`app ${config.name} is configured twice`);
      names.add(config.name);
      cache.add(await upsertApp(ctx, config));
    }
  } catch (error) {
    await db.close();
    throw error;
  }

  // Embedded (PGlite): this process is the only writer, so hot state lives in memory with group
  // commit (embedded.ts). PostgreSQL: transactional statements, several servers may share it.
  let embedded: EmbeddedStore | undefined;
  if (db.engine === 'pglite') {
    embedded = new EmbeddedStore(ctx);
    try {
      await embedded.start();
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  const sweep = async () => {
    if (!embedded) return sweepExpired(ctx);
    const sessions = await embedded.sweepSessions();
    return { sessions, tokens: await sweepTokens(ctx) };
  };

  let closed: Promise<void> | undefined;
  let logins = 0;
  const maybeSweep = () => {
    if (++logins % SWEEP_EVERY_LOGINS === 0 && !closed) sweep().catch(() => {});
  };
  const e = embedded;
  return {
    db: e ? e.externalDatabase() : db,
    resolveRoute: (code) => cache.route(code),
    resolveAskKey: (askKey) => cache.askKey(askKey),
    listApps: () => cache.list(),
    login: (input) => {
      maybeSweep();
      return e ? e.login(input) : login(ctx, input);
    },
    heartbeat: (input) => (e ? e.heartbeat(input) : heartbeat(ctx, input)),
    query: (input) => (e ? e.query(input) : query(ctx, input)),
    unbind: (input) => (e ? e.unbind(input) : unbind(ctx, input)),
    potatoLogin: (input) => potatoLogin(ctx, input),
    resolveUserToken: (input) => (e ? e.resolveUserToken(input) : resolveUserToken(ctx, input)),
    createCards: (input) => (e ? e.createCards(input) : createCards(ctx, input)),
    // Written-back first, so the listing reflects every change made in memory.
    listCards: async (input) => {
      await e?.sync();
      return listCards(ctx, input);
    },
    mintCard: (input) => mintCard(ctx, input),
    bulkCreateCards: (input) => bulkCreateCards(ctx, input),
    getCard: (input) => (e ? e.getCard(input) : getCard(ctx, input)),
    setCardDisabled: (input) => (e ? e.setCardDisabled(input) : setCardDisabled(ctx, input)),
    deleteCard: (input) => (e ? e.deleteCard(input) : deleteCard(ctx, input)),
    kickSessions: (input) => (e ? e.kickSessions(input) : kickSessions(ctx, input)),
    sweepExpired: sweep,
    close() {
      closed ??= (async () => {
        try {
          await e?.close();
        } finally {
          await db.close();
        }
      })();
      return closed;
    },
  };
}
