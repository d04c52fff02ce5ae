// createKamiService: the domain service. Every method is written once, over the storage port
// (store/storage.ts); the engine only decides which adapter is built, here and nowhere else.
import { md5 } from '../md5';
import { EmbeddedStorage } from '../store/embedded/embedded-storage';
import { openDatabase } from '../store/index';
import { createPostgresStorage } from '../store/postgres-storage';
import type { Storage } from '../store/storage';
import type { Database } from '../store/types';
import { accountVariants } from './account-variants';
import { accountMethods } from './accounts';
import { adminServiceOver, LoginCounter } from './admin';
import { AppCache, appsVersion, loadAdminApps, refreshApps, upsertApp } from './apps';
import { kindColumns, kindForPotatoType, toPotatoCard } from './cards';
import type { DomainContext } from './context';
import { createSnowflake, newCardStr, newCardStrs, newUserToken } from './ids';
import { hashPassword, verifyPassword } from './passwords';
import {
  checkHeartbeat,
  checkUsableCard,
  coreOf,
  decideDelete,
  decideDisable,
  decideIpUnbind,
  decideKamiRecharge,
  decideLogin,
  decideModifyCore,
  decideSelfDisable,
  decideUnbind,
  findVariable,
  heartbeatOk,
  potatoState,
  queryBody,
  replayCheckApplies,
  variableWrite,
} from './rules/index';
import type { AppConfig, AppRecord, Credential, Fail, KamiService, ServiceOptions } from './types';

export type KamiServiceHandle = KamiService & {
  close(): Promise<void>;
  /** The underlying database (tests, benchmarks, admin tooling). */
  readonly db: Database;
  /** Deletes expired sessions and user tokens (also runs by itself every 1000 logins). */
  sweepExpired(): Promise<{ sessions: number; tokens: number }>;
};

type LoginResult = Awaited<ReturnType<KamiService['login']>>;
type UnbindResult = Awaited<ReturnType<KamiService['unbind']>>;

const DEFAULT_USER_TOKEN_TTL_SECONDS = 7200;
/** Expired sessions are deleted by a timer, at most this many per tick. */
export const SWEEP_BATCH = 1000;
export const SWEEP_INTERVAL_MS = 1000;

/** The adapter for the database's engine, started. */
async function openStorage(db: Database, ctx: DomainContext): Promise<Storage> {
  if (db.engine === 'postgres') return createPostgresStorage(db, ctx.clock);
  const embedded = new EmbeddedStorage(db, ctx.clock);
  await embedded.start();
  return embedded;
}

/** Opens the database, migrates, upserts the configured apps (with users and cards), warms the cache. */
export async function createKamiService(options: ServiceOptions): Promise<KamiServiceHandle> {
  const db = await openDatabase(options.db);
  const apps = new AppCache();
  let ctx: DomainContext;
  let storage: Storage;
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
      apps.add(await upsertApp(ctx, config));
    }
    for (const app of await loadAdminApps(ctx, names)) apps.add(app);
    storage = await openStorage(db, ctx);
  } catch (error) {
    await db.close();
    throw error;
  }
  return serviceOver(storage, ctx, apps, new Map(options.apps.map((a) => [a.name, a])));
}

/** PostgreSQL: how often a process looks for app changes made by another (admin API). */
export const APP_REFRESH_MS = 2_000;

/** Login counters are added to `login_stats` this often (and on close). */
export const COUNTER_FLUSH_MS = 10_000;

/** The service over any storage adapter (tests build it over an adapter of their own). */
export function serviceOver(
  storage: Storage,
  ctx: DomainContext,
  apps: AppCache,
  configured: ReadonlyMap<string, AppConfig> = new Map(),
): KamiServiceHandle {
  const { clock } = ctx;
  const counter = new LoginCounter();
  const admin = adminServiceOver(storage, ctx, apps, counter, configured);
  const variants = accountVariants(storage, ctx);
  /** Who may use the cloud variables: a valid card, or an account with its password and a term left. */
  const holderRefusal = async (input: { app: AppRecord } & Credential): Promise<Fail | undefined> =>
    'user' in input
      ? variants.usable(input)
      : checkUsableCard(await storage.readCard(input.app.id, input.kami), Math.floor(clock.now() / 1000));
  const counterTimer = setInterval(() => void admin.flushCounters().catch(() => {}), COUNTER_FLUSH_MS);
  counterTimer.unref();
  // Several processes may share a PostgreSQL database: an app changed through another one's
  // admin API (rotation, new codes, settings, new app) is picked up within APP_REFRESH_MS.
  let appsSeen: string | undefined;
  let refreshing = false;
  // The adapter shares attempt counters exactly when other processes may share its database.
  const refreshTimer =
    storage.attempts !== undefined
      ? setInterval(() => {
          if (refreshing) return;
          refreshing = true;
          appsVersion(ctx)
            .then(async (version) => {
              if (version !== appsSeen) await refreshApps(ctx, apps, new Set(configured.keys()));
              appsSeen = version;
            })
            .catch(() => {})
            .finally(() => {
              refreshing = false;
            });
        }, APP_REFRESH_MS)
      : undefined;
  refreshTimer?.unref();
  /** Every expired session and token, a bounded slice at a time. */
  const sweepAll = async () => {
    const total = { sessions: 0, tokens: 0 };
    for (;;) {
      const slice = await storage.sweep(clock.now(), SWEEP_BATCH);
      total.sessions += slice.sessions;
      total.tokens += slice.tokens;
      if (slice.sessions < SWEEP_BATCH) return total;
    }
  };
  let closed: Promise<void> | undefined;
  // Expired sessions are refused by every lookup already; deleting them keeps memory and tables
  // small. One bounded slice per tick, so no request ever waits behind a whole-table sweep.
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping || closed) return;
    sweeping = true;
    storage
      .sweep(clock.now(), SWEEP_BATCH)
      .catch(() => {})
      .finally(() => {
        sweeping = false;
      });
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  const newCards = (
    app: AppRecord,
    cardStrs: string[],
    columns: ReturnType<typeof kindColumns>,
    ip = '',
    core = '',
  ) => {
    const nowMs = clock.now();
    return cardStrs.map((cardStr) => ({
      id: ctx.ids.next(),
      appId: app.id,
      cardStr,
      ...columns,
      core,
      createdIp: ip,
      nowMs,
    }));
  };

  return {
    get db() {
      return storage.database;
    },
    sharedAttempts: storage.attempts,
    resolveRoute: (code) => apps.route(code),
    resolveAskKey: (askKey) => apps.askKey(askKey, clock.now()),
    listApps: () => apps.list(),

    admin,
    async login(input) {
      const { app } = input;
      const nowMs = clock.now();
      const result = await storage.withCard<LoginResult>(app.id, input.kami, (card) => {
        const d = decideLogin(card, app, input, nowMs, ctx.md5);
        if (!d.ok || !card)
          return { value: d.ok ? { ok: false as const, error: 'CARD_NOT_FOUND' as const } : d };
        return {
          value: { ok: true as const, body: d.body },
          change: {
            ...(d.changed ? { card: d.after } : {}),
            session: { ...d.session, cardId: card.id, appId: app.id },
            sessionLimit: d.sessionLimit,
          },
        };
      });
      counter.add(app.id, result.ok, nowMs);
      return result;
    },
    async heartbeat(input) {
      const { app, statecode } = input;
      const kami = input.kami === undefined || input.kami === '' ? null : input.kami;
      const nowMs = clock.now();
      const refused = await storage.renewSession({
        appId: app.id,
        statecode,
        kami,
        nowMs,
        expiresAt: nowMs + app.settings.statecodeValiditySeconds * 1000,
        refusal: (session, card) => checkHeartbeat(session, card, kami, nowMs),
      });
      return refused ?? heartbeatOk(nowMs);
    },
    async query(input) {
      const now = Math.floor(clock.now() / 1000);
      return queryBody(await storage.readCard(input.app.id, input.kami), now);
    },
    unbind(input) {
      const { app, imei } = input;
      if ('user' in input) return variants.unbind(input);
      const nowMs = clock.now();
      return storage.withCard<UnbindResult>(app.id, input.kami, (card) => {
        const d = decideUnbind(card, app, imei, nowMs);
        if (!d.ok) return { value: d };
        return {
          value: { ok: true as const, change: d.after.change },
          change: { card: d.after, endSessions: d.endSessions },
        };
      });
    },

    ...accountMethods(storage, ctx),
    kamiRecharge({ app, target, source }) {
      const nowMs = clock.now();
      return storage.withCards<{ ok: true } | Fail>(app.id, [target, source], ([t, s]) => {
        const d = decideKamiRecharge(t, s, nowMs);
        return d.ok ? { value: { ok: true }, cards: [d.target, d.source] } : { value: d };
      });
    },
    ipUnbind(input) {
      if ('user' in input) return variants.ipUnbind(input);
      const nowMs = clock.now();
      return storage.withCard<{ ok: true } | Fail>(input.app.id, input.kami, (card) => {
        const d = decideIpUnbind(card, nowMs);
        return d.ok ? { value: { ok: true }, change: { card: d.after } } : { value: d };
      });
    },
    disableCard(input) {
      if ('user' in input) return variants.disable(input);
      const nowMs = clock.now();
      return storage.withCard<{ ok: true } | Fail>(input.app.id, input.kami, (card) => {
        const d = decideSelfDisable(card, nowMs);
        return d.ok ? { value: { ok: true }, change: { card: d.after, endSessions: true } } : { value: d };
      });
    },
    async getCore({ app, kami }) {
      return coreOf(await storage.readCard(app.id, kami));
    },
    modifyCore(input) {
      if ('user' in input) return variants.modifyCore(input);
      const { core } = input;
      const nowMs = clock.now();
      return storage.withCard<{ ok: true } | Fail>(input.app.id, input.kami, (card) => {
        const d = decideModifyCore(card, core, nowMs);
        return d.ok ? { value: { ok: true }, change: { card: d.after } } : { value: d };
      });
    },
    async getVariable(input) {
      const { app, values } = input;
      const found = findVariable(app, values);
      if ('error' in found) return found;
      const refused = await holderRefusal(input);
      if (refused) return refused;
      const stored = found.variable.writable
        ? await storage.readVariable(app.id, found.variable.id)
        : undefined;
      return { ok: true, value: stored ?? found.variable.value };
    },
    async modifyVariable(input) {
      const { app, values } = input;
      const found = findVariable(app, values);
      if ('error' in found) return found;
      const write = variableWrite(app, found.variable, values);
      if ('error' in write) return write;
      const refused = await holderRefusal(input);
      if (refused) return refused;
      await storage.writeVariable(app.id, found.variable.id, write.value, clock.now());
      return { ok: true };
    },
    onlineCards: ({ app }) => storage.countLiveSessions(app.id, clock.now()),
    async heartbeatAny({ app, statecode }) {
      // A card session first; a statecode no card holds may be an account's (账号模式).
      const card = await this.heartbeat({ app, statecode });
      if (card.ok || card.error !== 'STATECODE_NOT_FOUND') return card;
      return this.userHeartbeat({ app, user: null, statecode });
    },

    async potatoLogin({ app, userNumber, passWord }) {
      const user = await storage.findPotatoUser(app.id, userNumber);
      if (!user) {
        // A wrong user number costs as much as a wrong password: timing does not reveal accounts.
        await verifyPassword(passWord, await dummyHash());
        return { ok: false };
      }
      if (!(await verifyPassword(passWord, user.passHash))) return { ok: false };
      const nowMs = clock.now();
      const expiresAt = nowMs + ctx.userTokenTtlSeconds * 1000;
      const token = newUserToken();
      await storage.saveUserToken({ token, userId: user.id, appId: app.id, expiresAt, createdAt: nowMs });
      return { ok: true, apiUserToken: token, expiresAt };
    },
    async resolveUserToken({ app, token }) {
      if (!token) return undefined;
      const entry = await storage.findUserToken(token);
      return entry && entry.appId === app.id && entry.expiresAt > clock.now() ? entry.userId : undefined;
    },
    async isReplayed({ app, signature }) {
      if (!replayCheckApplies(app)) return false;
      const s = app.settings;
      const nowMs = clock.now();
      // `t` may lie a window ahead of now, so the same bytes pass the timestamp check for up to
      // two windows: the signature is remembered that long.
      const expiresAt = nowMs + 2 * s.timestampCheck.windowSeconds * 1000;
      return !(await storage.firstUseOfSignature(app.id, signature, nowMs, expiresAt));
    },
    async createCards(input) {
      if (!Number.isInteger(input.total) || input.total < 1)
        throw new RangeError('total must be a positive integer');
      const columns = kindColumns(kindForPotatoType(input.type));
      const inserted = await storage.insertCards(
        newCards(input.app, newCardStrs(input.total), columns, input.ip),
      );
      // Generation order (ids ascend), like the seed's reply.
      return inserted
        .map((card) => toPotatoCard(card, potatoState(card, Math.floor(clock.now() / 1000))))
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    },
    async listCards(input) {
      const page = Math.max(1, Math.floor(input.page) || 1);
      const size = Math.min(1000, Math.max(1, Math.floor(input.size) || 10));
      const now = Math.floor(clock.now() / 1000);
      const { cards, total } = await storage.listCards({
        appId: input.app.id,
        offset: (page - 1) * size,
        limit: size,
        cardStr: input.cardStr,
        type: input.type,
        potatoState: input.state,
        nowSeconds: now,
      });
      return { list: cards.map((card) => toPotatoCard(card, potatoState(card, now))), total };
    },

    async mintCard(input) {
      const [card] = await storage.insertCards(
        newCards(input.app, [input.cardStr ?? newCardStr()], kindColumns(input.card), '', input.core ?? ''),
      );
      if (!card) throw new Error(`card ${input.cardStr} exists already`);
      return card;
    },
    async bulkCreateCards(input) {
      if (!Number.isInteger(input.count) || input.count < 0)
        throw new RangeError('count must be a non-negative integer');
      const columns = kindColumns(kindForPotatoType(input.type));
      return storage.bulkInsertCards(input.count, (n) =>
        newCards(input.app, newCardStrs(n), columns, input.ip),
      );
    },
    getCard: (input) => storage.readCard(input.app.id, input.cardStr),
    setCardDisabled(input) {
      const nowMs = clock.now();
      return storage.withCard(input.app.id, input.cardStr, (card) => {
        const after = decideDisable(card, input.disabled, nowMs);
        return after ? { value: true, change: { card: after } } : { value: false };
      });
    },
    deleteCard(input) {
      const nowMs = clock.now();
      return storage.withCard(input.app.id, input.cardStr, (card) => {
        const after = decideDelete(card, nowMs);
        return after ? { value: true, change: { card: after, endSessions: true } } : { value: false };
      });
    },
    kickSessions: (input) => storage.endCardSessions(input.app.id, input.cardStr),
    sweepExpired: sweepAll,
    close() {
      clearInterval(timer);
      clearInterval(counterTimer);
      if (refreshTimer) clearInterval(refreshTimer);
      closed ??= admin
        .flushCounters()
        .catch(() => {})
        .then(() => storage.close());
      return closed;
    },
  };
}

// Verified against when the user does not exist (see potatoLogin).
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword('not a password');
  return dummy;
}
