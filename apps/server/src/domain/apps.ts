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
  modified_at = $10
RETURNING id, name, app_key, ask_key, routes, settings`;

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
  const routes = parseJson<Record<string, string>>(row.routes);
  const app: AppRecord = {
    id: String(row.id),
    name: row.name,
    appKey: row.app_key,
    askKey: row.ask_key,
    routes: Object.fromEntries(T3_ROUTE_NAMES.map((r) => [r, String(routes[r])])) as Record<
      T3RouteName,
      string
    >,
    // The configuration is the source of truth for settings; the stored copy is informational.
    settings,
  };
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
    for (const route of T3_ROUTE_NAMES) {
      const code = app.routes[route];
      const clash = this.byRoute.get(code);
      if (clash) {
        throw new Error(
          `调用码 ${code} is used by ${clash.app.name}/${clash.route} and ${app.name}/${route}`,
        );
      }
      this.byRoute.set(code, { app, route });
    }
    this.byAskKey.set(app.askKey, app);
    this.apps.push(app);
  }

  route(code: string) {
    // 调用码 are uppercase hex; accept a client that lower-cased the URL.
    return this.byRoute.get(code) ?? this.byRoute.get(code.toUpperCase());
  }

  askKey(askKey: string) {
    return this.byAskKey.get(askKey);
  }

  list(): AppRecord[] {
    return [...this.apps];
  }
}
