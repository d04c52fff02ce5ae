// Apps are declared in configuration and upserted by name at start. Secrets and 调用码 that the
// configuration leaves out are generated once and persisted, so a restart keeps them.
import { kindColumns } from './cards';
import type { DomainContext } from './context';
import { newAppKey, newAskKey, newRouteCode } from './ids';
import { hashPassword, verifyPassword } from './passwords';
import { resolveSettings } from './settings';
import { type AppConfig, type AppRecord, T3_ROUTE_NAMES, type T3RouteName } from './types';

interface AppRow {
  [column: string]: unknown;
  id: string;
  name: string;
  app_key: string;
  ask_key: string;
  routes: Record<string, string> | string;
  settings: unknown;
  origin?: string;
  prev_app_key?: string | null;
  prev_app_key_until?: unknown;
  prev_ask_key?: string | null;
  prev_ask_key_until?: unknown;
}

const APP_COLUMNS =
  'id, name, app_key, ask_key, routes, settings, origin, prev_app_key, prev_app_key_until, prev_ask_key, prev_ask_key_until';

/** An app row as a record; `settings` given (config apps) or read from the row (admin apps). */
export function appFromRow(
  row: AppRow,
  settings: AppRecord['settings'] = resolveSettings(parseJson(row.settings)),
): AppRecord {
  const routes = parseJson<Record<string, string>>(row.routes);
  const previous: NonNullable<AppRecord['previous']> = {};
  if (row.prev_app_key)
    previous.appKey = { key: row.prev_app_key, until: Number(row.prev_app_key_until ?? 0) };
  if (row.prev_ask_key)
    previous.askKey = { key: row.prev_ask_key, until: Number(row.prev_ask_key_until ?? 0) };
  return {
    id: String(row.id),
    name: row.name,
    appKey: row.app_key,
    askKey: row.ask_key,
    routes: Object.fromEntries(T3_ROUTE_NAMES.map((r) => [r, String(routes[r])])) as Record<
      T3RouteName,
      string
    >,
    settings,
    origin: row.origin === 'admin' ? 'admin' : 'config',
    ...(previous.appKey || previous.askKey ? { previous } : {}),
  };
}

/** Apps created through the admin API (origin 'admin') whose names the configuration does not use. */
export async function loadAdminApps(
  ctx: DomainContext,
  configured: ReadonlySet<string>,
): Promise<AppRecord[]> {
  const res = await ctx.db.query<AppRow>(
    `SELECT ${APP_COLUMNS} FROM apps WHERE origin = 'admin' ORDER BY created_at, id`,
  );
  return res.rows.filter((r) => !configured.has(r.name)).map((r) => appFromRow(r));
}

/** Changes when any app row changes (its `modified_at` moves) or one is added. */
export async function appsVersion(ctx: DomainContext): Promise<string> {
  const res = await ctx.db.query<{ m: unknown; n: unknown }>(
    'SELECT max(modified_at) AS m, count(*) AS n FROM apps',
  );
  return `${String(res.rows[0]?.m)}/${String(res.rows[0]?.n)}`;
}

/**
 * Brings the cache up to date with the apps table (changes another process made through the
 * admin API): keys, rotation overlaps and codes of known apps, and new admin apps. Apps of the
 * configuration keep the configuration's settings.
 */
export async function refreshApps(
  ctx: DomainContext,
  cache: AppCache,
  configured: ReadonlySet<string>,
): Promise<void> {
  const res = await ctx.db.query<AppRow>(`SELECT ${APP_COLUMNS} FROM apps ORDER BY created_at, id`);
  const known = new Map(cache.list().map((a) => [a.id, a]));
  for (const row of res.rows) {
    const have = known.get(String(row.id));
    if (!have && (row.origin !== 'admin' || configured.has(row.name))) continue;
    const next = appFromRow(row, have && have.origin !== 'admin' ? have.settings : undefined);
    if (!have) cache.add(next);
    else if (JSON.stringify(next) !== JSON.stringify(have)) cache.replace(next);
  }
}

/** A new app from the admin API with fresh secrets and codes; undefined when the name is taken. */
export async function insertAdminApp(
  ctx: DomainContext,
  name: string,
  settings: AppRecord['settings'],
): Promise<AppRecord | undefined> {
  const routes = Object.fromEntries(T3_ROUTE_NAMES.map((r) => [r, newRouteCode()]));
  const res = await ctx.db.query<AppRow>(
    `INSERT INTO apps (id, name, app_key, ask_key, routes, settings, created_at, modified_at, origin)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $7, 'admin')
     ON CONFLICT (name) DO NOTHING RETURNING ${APP_COLUMNS}`,
    [
      ctx.ids.next(),
      name,
      newAppKey(),
      newAskKey(),
      JSON.stringify(routes),
      JSON.stringify(settings),
      ctx.clock.now(),
    ],
  );
  return res.rows[0] ? appFromRow(res.rows[0], settings) : undefined;
}

/** Writes an app's keys, rotation overlap, codes and settings. */
export async function saveApp(ctx: DomainContext, app: AppRecord): Promise<void> {
  await ctx.db.query(
    `UPDATE apps SET app_key = $2, ask_key = $3, routes = $4::jsonb, settings = $5::jsonb, prev_app_key = $6,
       prev_app_key_until = $7, prev_ask_key = $8, prev_ask_key_until = $9, modified_at = $10 WHERE id = $1`,
    [
      app.id,
      app.appKey,
      app.askKey,
      JSON.stringify(app.routes),
      JSON.stringify(app.settings),
      app.previous?.appKey?.key ?? null,
      app.previous?.appKey?.until ?? null,
      app.previous?.askKey?.key ?? null,
      app.previous?.askKey?.until ?? null,
      ctx.clock.now(),
    ],
  );
}

function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * One statement, atomic even when two servers start together on one PostgreSQL database:
 * insert with fresh secrets, or keep the stored ones unless the configuration names its own.
 * Routes merge as generated || stored || configured (jsonb `||`: the right side wins), so a
 * route added in a later version still gets a code and configured codes always win.
 */
const UPSERT_APP = `
INSERT INTO apps AS a (id, name, app_key, ask_key, routes, settings, created_at, modified_at)
VALUES ($1, $2, COALESCE($3, $4), COALESCE($5, $6), $7::jsonb || $8::jsonb, $9::jsonb, $10, $10)
ON CONFLICT (name) DO UPDATE SET
  app_key = COALESCE($3, a.app_key),
  ask_key = COALESCE($5, a.ask_key),
  routes = $7::jsonb || a.routes || $8::jsonb,
  settings = $9::jsonb,
  origin = 'config',
  modified_at = $10
RETURNING ${APP_COLUMNS}`;

export async function upsertApp(ctx: DomainContext, config: AppConfig): Promise<AppRecord> {
  const settings = resolveSettings(config.settings);
  const generated = Object.fromEntries(T3_ROUTE_NAMES.map((r) => [r, newRouteCode()]));
  const configured = Object.fromEntries(
    Object.entries(config.routes ?? {}).filter(([, v]) => typeof v === 'string'),
  );
  const res = await ctx.db.query<AppRow>(UPSERT_APP, [
    ctx.ids.next(),
    config.name,
    config.appKey ?? null,
    newAppKey(),
    config.askKey ?? null,
    newAskKey(),
    JSON.stringify(generated),
    JSON.stringify(configured),
    JSON.stringify(settings),
    ctx.clock.now(),
  ]);
  const row = res.rows[0];
  if (!row) throw new Error(`upsert of app ${config.name} returned nothing`);
  // The configuration is the source of truth for settings; the stored copy is informational.
  const app = appFromRow(row, settings);
  await preloadUsers(ctx, app, config.potatoUsers ?? []);
  await preloadCards(ctx, app, config.cards ?? []);
  return app;
}

async function preloadUsers(
  ctx: DomainContext,
  app: AppRecord,
  users: NonNullable<AppConfig['potatoUsers']>,
) {
  for (const user of users) {
    const existing = await ctx.db.query<{ id: string; pass_hash: string }>(
      'SELECT id, pass_hash FROM potato_users WHERE app_id = $1 AND user_number = $2',
      [app.id, user.userNumber],
    );
    const row = existing.rows[0];
    if (row) {
      // Re-hash only when the configured password changed (scrypt is deliberately slow).
      if (!(await verifyPassword(user.passWord, row.pass_hash))) {
        await ctx.db.query('UPDATE potato_users SET pass_hash = $1 WHERE id = $2', [
          await hashPassword(user.passWord),
          row.id,
        ]);
      }
      continue;
    }
    await ctx.db.query(
      `INSERT INTO potato_users (id, app_id, user_number, pass_hash, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (app_id, user_number) DO NOTHING`,
      [ctx.ids.next(), app.id, user.userNumber, await hashPassword(user.passWord), ctx.clock.now()],
    );
  }
}

async function preloadCards(ctx: DomainContext, app: AppRecord, cards: NonNullable<AppConfig['cards']>) {
  if (cards.length === 0) return;
  const now = ctx.clock.now();
  for (const card of cards) {
    const k = kindColumns(card.card);
    await ctx.db.query(
      `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, uses_total, uses_left, disabled, imei,
         core, created_ip, created_at, modified_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, '', $11, $11)
       ON CONFLICT (app_id, card_str) DO NOTHING`,
      [
        ctx.ids.next(),
        app.id,
        card.cardStr,
        k.kind,
        k.type,
        k.durationSeconds,
        k.uses,
        card.disabled ?? false,
        card.imei ?? null,
        card.core ?? '',
        now,
      ],
    );
  }
}

/** The in-memory lookups the HTTP layer hits on every request. */
export class AppCache {
  private readonly byRoute = new Map<string, { app: AppRecord; route: T3RouteName }>();
  private readonly byAskKey = new Map<string, AppRecord>();
  private readonly apps: AppRecord[] = [];

  add(app: AppRecord): void {
    const own = new Map<string, T3RouteName>();
    for (const route of T3_ROUTE_NAMES) {
      const code = app.routes[route];
      const stored = this.byRoute.get(code);
      // `replace` removed the app's own codes first, so any entry here is another app's.
      const clash = own.has(code) ? { app, route: own.get(code) } : stored;
      if (clash) {
        throw new Error(
          `调用码 ${code} is used by ${clash.app.name}/${clash.route} and ${app.name}/${route}`,
        );
      }
      own.set(code, route);
    }
    for (const route of T3_ROUTE_NAMES) this.byRoute.set(app.routes[route], { app, route });
    this.byAskKey.set(app.askKey, app);
    const old = app.previous?.askKey;
    if (old) this.byAskKey.set(old.key, app);
    this.apps.push(app);
  }

  /** Swaps an app for its new version (admin changes): its old codes and keys stop resolving. */
  replace(app: AppRecord): void {
    const i = this.apps.findIndex((a) => a.id === app.id);
    const before = i >= 0 ? this.apps[i] : undefined;
    if (before) {
      for (const route of T3_ROUTE_NAMES) this.byRoute.delete(before.routes[route]);
      this.byAskKey.delete(before.askKey);
      if (before.previous?.askKey) this.byAskKey.delete(before.previous.askKey.key);
      this.apps.splice(i, 1);
    }
    this.add(app);
  }

  route(code: string) {
    // 调用码 are uppercase hex; accept a client that lower-cased the URL.
    return this.byRoute.get(code) ?? this.byRoute.get(code.toUpperCase());
  }

  /** The app of an askKey; a rotated-out key only until its overlap ends (`nowMs`). */
  askKey(askKey: string, nowMs?: number) {
    const app = this.byAskKey.get(askKey);
    if (!app || app.askKey === askKey) return app;
    const old = app.previous?.askKey;
    return old && old.key === askKey && (nowMs === undefined || nowMs < old.until) ? app : undefined;
  }

  list(): AppRecord[] {
    return [...this.apps];
  }
}
