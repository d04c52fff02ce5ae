// createKamiService: the domain service behind the HTTP layer (see types.ts for the contract).
import { openDatabase } from '../store/index';
import type { Database } from '../store/types';
import { AppCache, upsertApp } from './apps';
import { bulkCreateCards, deleteCard, getCard, kickSessions, mintCard, setCardDisabled } from './cards-admin';
import { type DomainContext, md5 } from './context';
import { createSnowflake } from './ids';
import { createCards, listCards, potatoLogin, resolveUserToken } from './potato';
import { SWEEP_EVERY_LOGINS, sweepExpired } from './sweep';
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

  let closed: Promise<void> | undefined;
  let logins = 0;
  const maybeSweep = () => {
    if (++logins % SWEEP_EVERY_LOGINS === 0 && !closed) sweepExpired(ctx).catch(() => {});
  };
  return {
    db,
    resolveRoute: (code) => cache.route(code),
    resolveAskKey: (askKey) => cache.askKey(askKey),
    listApps: () => cache.list(),
    login: (input) => {
      maybeSweep();
      return login(ctx, input);
    },
    heartbeat: (input) => heartbeat(ctx, input),
    query: (input) => query(ctx, input),
    unbind: (input) => unbind(ctx, input),
    potatoLogin: (input) => potatoLogin(ctx, input),
    resolveUserToken: (input) => resolveUserToken(ctx, input),
    createCards: (input) => createCards(ctx, input),
    listCards: (input) => listCards(ctx, input),
    mintCard: (input) => mintCard(ctx, input),
    bulkCreateCards: (input) => bulkCreateCards(ctx, input),
    getCard: (input) => getCard(ctx, input),
    setCardDisabled: (input) => setCardDisabled(ctx, input),
    deleteCard: (input) => deleteCard(ctx, input),
    kickSessions: (input) => kickSessions(ctx, input),
    sweepExpired: () => sweepExpired(ctx),
    close() {
      closed ??= db.close();
      return closed;
    },
  };
}
