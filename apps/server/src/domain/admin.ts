// The operator surface (admin API, `kami` CLI): every admin operation, written once over the
// storage port. Card changes go through the adapters' atomic section (`withCard`) and the pure
// rules in rules/admin.ts; bulk reads and writes through the port's admin methods.
import type { AppSettingsInput } from '../schema/settings';
import type {
  AdminCard,
  AdminCardQuery,
  AdminCardState,
  AuditEntry,
  HourCount,
  ImportedCard,
} from '../store/sql/admin';
import type { Storage } from '../store/storage';
import { AdminTokenVerifier, type CreateAdminTokenInput, createAdminToken } from './admin-tokens';
import { type AppCache, insertAdminApp, saveApp } from './apps';
import { kindColumns } from './cards';
import type { DomainContext } from './context';
import { newAppKey, newAskKey, newCardStrs, newRouteCode } from './ids';
import {
  cardPhase,
  decideDelete,
  decideDisable,
  decideExpiry,
  decideOperatorUnbind,
  type ExpiryRefusal,
} from './rules/index';
import { resolveSettings } from './settings';
import { type AppConfig, type AppRecord, type CardKind, T3_ROUTE_NAMES, type T3RouteName } from './types';

export type { AdminCard, AdminCardState, AuditEntry } from '../store/sql/admin';

/** A refusal the HTTP layer frames (409 / 404 with this text). */
export class AdminConflict extends Error {
  override name = 'AdminConflict';
  constructor(
    readonly status: 404 | 409,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The state a listing and an export report: the card's phase, or deleted. */
export function adminCardState(card: AdminCard, nowSeconds: number): AdminCardState {
  return card.status === 0 ? 'deleted' : cardPhase(card, nowSeconds);
}

/** Logins and refusals per app and hour, counted in memory and added to `login_stats` in batches. */
export class LoginCounter {
  private counts = new Map<string, HourCount>();

  add(appId: string, ok: boolean, nowMs: number): void {
    const hour = nowMs - (nowMs % 3_600_000);
    const key = `${appId}\u0000${hour}`;
    let c = this.counts.get(key);
    if (!c) {
      c = { appId, hour, logins: 0, failures: 0 };
      this.counts.set(key, c);
    }
    if (ok) c.logins++;
    else c.failures++;
  }

  /** Hands the counts over (cleared); on failure the caller gives them back with `restore`. */
  take(): HourCount[] {
    const out = [...this.counts.values()];
    this.counts = new Map();
    return out;
  }

  restore(counts: HourCount[]): void {
    for (const c of counts) {
      const key = `${c.appId}\u0000${c.hour}`;
      const have = this.counts.get(key);
      if (have) {
        have.logins += c.logins;
        have.failures += c.failures;
      } else this.counts.set(key, { ...c });
    }
  }
}

export interface CreateCardsInput {
  app: AppRecord;
  card: CardKind;
  count: number;
  remark?: string | undefined;
  batch?: string | undefined;
  ip?: string | undefined;
  /** Called with each slice of keys once it is inserted (the transaction commits at the end). */
  onInserted: (cardStrs: string[]) => void;
}

export type ExportFilter = Omit<AdminCardQuery, 'appId' | 'limit' | 'after' | 'nowSeconds'>;

/** Cards read per statement while exporting: memory stays constant whatever the total. */
export const EXPORT_BATCH = 10_000;

export interface AdminService {
  verifyToken: AdminTokenVerifier['verify'];
  createToken(input: CreateAdminTokenInput): ReturnType<typeof createAdminToken>;
  listTokens(): ReturnType<Storage['admin']['listTokens']>;
  revokeToken(idOrName: string): Promise<number>;
  audit(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>;
  auditPage(q: { before?: { at: number; id: string } | undefined; limit: number }): Promise<AuditEntry[]>;

  /** By id or name. */
  findApp(ref: string): AppRecord | undefined;
  listApps(): AppRecord[];
  createApp(input: { name: string; settings?: AppSettingsInput | undefined }): Promise<AppRecord>;
  /** Top-level keys of `patch` replace the app's settings; the result is validated by the schema (ZodError). */
  updateSettings(app: AppRecord, patch: Record<string, unknown>): Promise<AppRecord>;
  rotateKeys(
    app: AppRecord,
    input: { appKey: boolean; askKey: boolean; overlapSeconds: number },
  ): Promise<AppRecord>;
  regenerateRoutes(app: AppRecord): Promise<AppRecord>;

  createCards(input: CreateCardsInput): Promise<number>;
  cardsPage(query: Omit<AdminCardQuery, 'nowSeconds'>): Promise<AdminCard[]>;
  card(app: AppRecord, cardStr: string): Promise<AdminCard | undefined>;
  /** Every matching card, a batch at a time (keyset), for a streamed export. */
  exportCards(app: AppRecord, filter: ExportFilter): AsyncGenerator<AdminCard[]>;
  /** All or none; throws AdminConflict naming an existing key. */
  importCards(
    app: AppRecord,
    cards: Array<Omit<ImportedCard, 'id' | 'appId' | 'modifiedAt'>>,
  ): Promise<number>;
  setDisabled(app: AppRecord, cardStr: string, disabled: boolean): Promise<boolean>;
  deleteCard(app: AppRecord, cardStr: string): Promise<boolean>;
  unbindCard(app: AppRecord, cardStr: string): Promise<boolean>;
  setExpiry(
    app: AppRecord,
    cardStr: string,
    change: { expiresAt?: number | undefined; extendSeconds?: number | undefined },
  ): Promise<AdminCard>;

  sessions(app: AppRecord, cardStr?: string): ReturnType<Storage['listSessions']>;
  kick(app: AppRecord, cardStr?: string): Promise<number>;
  stats(
    app: AppRecord,
    hours: number,
  ): Promise<{
    cards: Record<AdminCardState, number>;
    online: number;
    hours: Array<{ hour: number; logins: number; failures: number }>;
  }>;
  /** Writes the in-memory login counters (stats read them through the table). */
  flushCounters(): Promise<void>;
  /** The nowSeconds the admin views use. */
  nowSeconds(): number;
}

export function adminServiceOver(
  storage: Storage,
  ctx: DomainContext,
  apps: AppCache,
  counter: LoginCounter,
  configured: ReadonlyMap<string, AppConfig>,
): AdminService {
  const { clock } = ctx;
  const verifier = new AdminTokenVerifier(
    () => storage.admin,
    () => clock.now(),
  );
  const now = () => clock.now();
  const nowSeconds = () => Math.floor(clock.now() / 1000);

  /** Config-defined apps keep what the file pins: a change would be undone at the next start. */
  const pinned = (app: AppRecord, what: 'appKey' | 'askKey' | 'routes' | 'settings'): string | undefined => {
    const config = configured.get(app.name);
    if (!config || app.origin === 'admin') return undefined;
    if (what === 'settings')
      return `app ${app.name} is defined in the config file: change its settings there`;
    if (config[what] !== undefined) return `the config file sets ${what} of app ${app.name}: change it there`;
    return undefined;
  };

  const withCardChange = <T>(
    app: AppRecord,
    cardStr: string,
    decide: (card: Parameters<Parameters<Storage['withCard']>[2]>[0]) => {
      value: T;
      after?: ReturnType<typeof decideDisable>;
      endSessions?: boolean;
    },
  ) =>
    storage.withCard(app.id, cardStr, (card) => {
      const d = decide(card);
      return d.after
        ? { value: d.value, change: { card: d.after, ...(d.endSessions ? { endSessions: true } : {}) } }
        : { value: d.value };
    });

  const flushCounters = async () => {
    const counts = counter.take();
    try {
      await storage.admin.addLoginCounts(counts);
    } catch (error) {
      counter.restore(counts);
      throw error;
    }
  };

  return {
    verifyToken: (secret) => verifier.verify(secret),
    createToken: (input) => createAdminToken(ctx.db, input, now()),
    listTokens: () => storage.admin.listTokens(),
    async revokeToken(idOrName) {
      const n = (await storage.admin.revokeToken(idOrName, now())).length;
      verifier.forget();
      return n;
    },
    async audit(entry) {
      await storage.admin.insertAudit({ ...entry, id: ctx.ids.next(), at: now() });
    },
    auditPage: (q) => storage.admin.listAudit(q),

    findApp: (ref) => apps.list().find((a) => a.id === ref) ?? apps.list().find((a) => a.name === ref),
    listApps: () => apps.list(),
    async createApp({ name, settings }) {
      if (configured.has(name) || apps.list().some((a) => a.name === name))
        throw new AdminConflict(409, `an app named ${name} exists`, 'name');
      const app = await insertAdminApp(ctx, name, resolveSettings(settings));
      if (!app) throw new AdminConflict(409, `an app named ${name} exists`, 'name');
      apps.add(app);
      return app;
    },
    async updateSettings(app, patch) {
      const refused = pinned(app, 'settings');
      if (refused) throw new AdminConflict(409, refused);
      const settings = resolveSettings({ ...app.settings, ...patch } as AppSettingsInput);
      const next: AppRecord = { ...app, settings };
      await saveApp(ctx, next);
      apps.replace(next);
      return next;
    },
    async rotateKeys(app, input) {
      for (const what of ['appKey', 'askKey'] as const) {
        const refused = input[what] ? pinned(app, what) : undefined;
        if (refused) throw new AdminConflict(409, refused, what);
      }
      const until = now() + input.overlapSeconds * 1000;
      const previous = { ...app.previous };
      const next: AppRecord = { ...app };
      if (input.appKey) {
        previous.appKey = input.overlapSeconds > 0 ? { key: app.appKey, until } : undefined;
        next.appKey = newAppKey();
      }
      if (input.askKey) {
        previous.askKey = input.overlapSeconds > 0 ? { key: app.askKey, until } : undefined;
        next.askKey = newAskKey();
      }
      next.previous = previous;
      await saveApp(ctx, next);
      apps.replace(next);
      return next;
    },
    async regenerateRoutes(app) {
      const refused = pinned(app, 'routes');
      if (refused) throw new AdminConflict(409, refused);
      const routes = Object.fromEntries(T3_ROUTE_NAMES.map((r) => [r, newRouteCode()])) as Record<
        T3RouteName,
        string
      >;
      const next: AppRecord = { ...app, routes };
      await saveApp(ctx, next);
      apps.replace(next);
      return next;
    },

    async createCards(input) {
      const columns = kindColumns(input.card);
      const nowMs = now();
      // A slice is reported once the next is asked for (the previous INSERT is done) and the
      // last one after the whole transaction committed.
      let pending: string[] = [];
      const created = await storage.bulkInsertCards(input.count, (n) => {
        if (pending.length) input.onInserted(pending);
        pending = newCardStrs(n);
        return pending.map((cardStr) => ({
          id: ctx.ids.next(),
          appId: input.app.id,
          cardStr,
          ...columns,
          core: '',
          createdIp: input.ip ?? '',
          nowMs,
          remark: input.remark ?? '',
          batch: input.batch ?? '',
        }));
      });
      if (pending.length) input.onInserted(pending);
      return created;
    },
    cardsPage: (query) => storage.adminCards({ ...query, nowSeconds: nowSeconds() }),
    card: (app, cardStr) => storage.adminCard(app.id, cardStr),
    async *exportCards(app, filter) {
      let after: AdminCardQuery['after'];
      const at = nowSeconds();
      for (;;) {
        const page = await storage.adminCards({
          ...filter,
          appId: app.id,
          limit: EXPORT_BATCH,
          after,
          nowSeconds: at,
        });
        if (page.length) yield page;
        if (page.length < EXPORT_BATCH) return;
        const last = page[page.length - 1] as AdminCard;
        after = { createdAt: last.createdAt, id: last.id };
      }
    },
    async importCards(app, cards) {
      const nowMs = now();
      const result = await storage.importCards(
        app.id,
        cards.map((c) => ({ ...c, id: ctx.ids.next(), appId: app.id, modifiedAt: nowMs })),
      );
      if ('exists' in result)
        throw new AdminConflict(409, `card ${result.exists} exists already; nothing was imported`, 'key');
      return result.inserted;
    },
    setDisabled(app, cardStr, disabled) {
      const nowMs = now();
      return withCardChange(app, cardStr, (card) => {
        const after = decideDisable(card, disabled, nowMs);
        return { value: after !== undefined, after };
      });
    },
    deleteCard(app, cardStr) {
      const nowMs = now();
      return withCardChange(app, cardStr, (card) => {
        const after = decideDelete(card, nowMs);
        return { value: after !== undefined, after, endSessions: true };
      });
    },
    unbindCard(app, cardStr) {
      const nowMs = now();
      return withCardChange(app, cardStr, (card) => {
        const after = decideOperatorUnbind(card, nowMs);
        return { value: after !== undefined, after, endSessions: true };
      });
    },
    async setExpiry(app, cardStr, change) {
      const nowMs = now();
      const refusal = await storage.withCard<ExpiryRefusal | undefined>(app.id, cardStr, (card) => {
        const d = decideExpiry(card, change, nowMs);
        return typeof d === 'string' ? { value: d } : { value: undefined, change: { card: d } };
      });
      if (refusal === 'not-found') throw new AdminConflict(404, `no card ${cardStr}`);
      if (refusal === 'not-a-time-card') throw new AdminConflict(409, 'only time cards expire');
      if (refusal === 'not-activated')
        throw new AdminConflict(409, 'the card is not activated yet: its expiry starts at its first login');
      const card = await storage.adminCard(app.id, cardStr);
      if (!card) throw new AdminConflict(404, `no card ${cardStr}`);
      return card;
    },

    sessions: (app, cardStr) => storage.listSessions({ appId: app.id, cardStr, nowMs: now(), limit: 10_000 }),
    async kick(app, cardStr) {
      if (cardStr !== undefined) return storage.endCardSessions(app.id, cardStr);
      let n = 0;
      for (const card of await storage.cardsWithSessions(app.id))
        n += await storage.endCardSessions(app.id, card);
      return n;
    },
    async stats(app, hours) {
      await flushCounters();
      const nowMs = now();
      const sinceHour = nowMs - (nowMs % 3_600_000) - (hours - 1) * 3_600_000;
      const [cards, online, counts] = await Promise.all([
        storage.countCards(app.id, nowSeconds()),
        storage.countOnline(app.id, nowMs),
        storage.admin.loginCounts({ appId: app.id, sinceHour }),
      ]);
      return {
        cards,
        online,
        hours: counts.map(({ hour, logins, failures }) => ({ hour, logins, failures })),
      };
    },
    flushCounters,
    nowSeconds,
  };
}
