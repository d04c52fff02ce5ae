// `apps list | show | create | settings | rotate | stats` over the admin API.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { appPath, clientFor, msTime, type ServerCommandFlags, serverCommand } from './common';
import type { CliContext } from './context';
import { usageError } from './exit-codes';
import { formatOf, renderRecord, renderRows } from './output';
import { duration, integer } from './values';

interface AppView {
  id: string;
  name: string;
  origin: string;
  routes: Record<string, string>;
  settings: Record<string, unknown>;
  rotation: { appKeyOverlapUntil: number | null; askKeyOverlapUntil: number | null };
  secrets?: Record<string, string | null>;
}

/** One app as key/value lines: routes and secrets flattened so a person can read them. */
function appRecord(app: AppView): Record<string, unknown> {
  return {
    name: app.name,
    id: app.id,
    origin: app.origin,
    ...Object.fromEntries(Object.entries(app.routes).map(([k, v]) => [`route.${k}`, v])),
    ...(app.secrets
      ? Object.fromEntries(Object.entries(app.secrets).map(([k, v]) => [`secret.${k}`, v]))
      : {}),
    'rotation.appKeyOverlapUntil': msTime(app.rotation.appKeyOverlapUntil),
    'rotation.askKeyOverlapUntil': msTime(app.rotation.askKeyOverlapUntil),
    settings: app.settings,
  };
}

/** `--settings` is a JSON file or inline JSON; `--set a.b=v` pairs are merged on top. */
function settingsFrom(flags: { settings?: string; set?: string[] }): Record<string, unknown> | undefined {
  let settings: Record<string, unknown> | undefined;
  if (flags.settings !== undefined) {
    const text = flags.settings.trim().startsWith('{') ? flags.settings : readText(flags.settings);
    try {
      settings = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw usageError(`--settings: not JSON (${(error as Error).message})`);
    }
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
      throw usageError('--settings: must be a JSON object');
  }
  for (const pair of flags.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--set ${pair}: expected key=value (value is JSON, or text)`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Plain text (a notice, a version).
    }
    settings ??= {};
    // Top-level keys replace the stored value whole (the API's rule), so a.b=v sets a nested field
    // inside a new top-level object.
    const path = key.split('.');
    let at = settings;
    for (const p of path.slice(0, -1)) {
      at[p] = typeof at[p] === 'object' && at[p] !== null ? at[p] : {};
      at = at[p] as Record<string, unknown>;
    }
    at[path[path.length - 1]!] = value;
  }
  return settings;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`--settings: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerApps(program: Command, ctx: CliContext): void {
  const apps = program
    .command('apps')
    .description('Apps: list, show (with secrets), create, settings, rotate keys and codes');

  serverCommand(apps.command('list').description('List the apps the token may see')).action(
    async (flags: ServerCommandFlags) => {
      const format = formatOf(flags);
      const { apps: list } = await clientFor(flags, ctx).request<{ apps: AppView[] }>('GET', '/apps');
      if (format === 'json') return ctx.out(`${JSON.stringify(list, null, 2)}\n`);
      ctx.out(
        renderRows(
          list.map((a) => ({
            ...a,
            login: a.routes.login,
            heartbeat: a.routes.heartbeat,
            enabled: a.settings.enabled,
          })),
          [
            { key: 'name' },
            { key: 'id' },
            { key: 'origin' },
            { key: 'enabled' },
            { key: 'login' },
            { key: 'heartbeat' },
          ],
          format,
        ),
      );
    },
  );

  serverCommand(
    apps
      .command('show')
      .description('One app: routes, settings, and with --secrets its APPKEY and askKey')
      .argument('<app>', 'name or id')
      .option('--secrets', 'include APPKEY, askKey, previous keys and private settings (full-scope token)'),
  ).action(async (app: string, flags: ServerCommandFlags & { secrets?: boolean }) => {
    const format = formatOf(flags);
    const view = await clientFor(flags, ctx).request<AppView>('GET', appPath(app), {
      query: flags.secrets ? { include_secrets: 'true' } : {},
    });
    ctx.out(format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : renderRecord(appRecord(view), format));
  });

  serverCommand(
    apps
      .command('create')
      .description(
        'A new app with fresh APPKEY, askKey and 调用码 (printed once here; `apps show --secrets` later)',
      )
      .argument('<name>', 'the app’s name')
      .option('--settings <json|file>', 'app settings: inline JSON or a JSON file')
      .option('--set <key=value>', 'one setting (repeatable), e.g. --set codeType=int', collect),
  ).action(async (name: string, flags: ServerCommandFlags & { settings?: string; set?: string[] }) => {
    const format = formatOf(flags);
    const settings = settingsFrom(flags);
    const view = await clientFor(flags, ctx).request<AppView>('POST', '/apps', {
      body: { name, ...(settings ? { settings } : {}) },
    });
    ctx.out(format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : renderRecord(appRecord(view), format));
  });

  serverCommand(
    apps
      .command('settings')
      .description(
        'Change settings (top-level keys replace the stored value); an app from the config file is changed there',
      )
      .argument('<app>', 'name or id')
      .option('--settings <json|file>', 'settings to change: inline JSON or a JSON file')
      .option(
        '--set <key=value>',
        'one setting (repeatable), e.g. --set notice=维护中 --set enabled=false',
        collect,
      ),
  ).action(async (app: string, flags: ServerCommandFlags & { settings?: string; set?: string[] }) => {
    const format = formatOf(flags);
    const settings = settingsFrom(flags);
    if (!settings) throw usageError('--settings or --set: say what to change');
    const view = await clientFor(flags, ctx).request<AppView>('PATCH', `${appPath(app)}/settings`, {
      body: { settings },
    });
    ctx.out(format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : renderRecord(appRecord(view), format));
  });

  serverCommand(
    apps
      .command('rotate')
      .description(
        'New APPKEY and/or askKey (the old one stays valid for the overlap), and/or new 调用码 (old ones stop at once)',
      )
      .argument('<app>', 'name or id')
      .option('--appkey', 'a new APPKEY')
      .option('--askkey', 'a new askKey')
      .option('--overlap <duration>', 'how long the previous key stays valid (e.g. 7d, 12h, 0)', (v) =>
        v === '0' ? 0 : duration(v),
      )
      .option('--routes', 'new 调用码 for every endpoint; clients must be given them'),
  ).action(
    async (
      app: string,
      flags: ServerCommandFlags & { appkey?: boolean; askkey?: boolean; overlap?: number; routes?: boolean },
    ) => {
      const format = formatOf(flags);
      if (!flags.appkey && !flags.askkey && !flags.routes)
        throw usageError('--appkey, --askkey or --routes: say what to rotate');
      if (flags.overlap !== undefined && !flags.appkey && !flags.askkey)
        throw usageError('--overlap applies to --appkey / --askkey');
      const client = clientFor(flags, ctx);
      let view: AppView | undefined;
      if (flags.appkey || flags.askkey)
        view = await client.request<AppView>('POST', `${appPath(app)}/rotate`, {
          body: {
            ...(flags.appkey ? { appKey: true } : {}),
            ...(flags.askkey ? { askKey: true } : {}),
            ...(flags.overlap !== undefined ? { overlapSeconds: flags.overlap } : {}),
          },
        });
      if (flags.routes) {
        const routed = await client.request<AppView>('POST', `${appPath(app)}/routes/regenerate`);
        view = view ? { ...view, routes: routed.routes } : routed;
      }
      ctx.out(
        format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : renderRecord(appRecord(view!), format),
      );
    },
  );

  serverCommand(
    apps
      .command('stats')
      .description('Cards by state, sessions online, logins and refusals per hour')
      .argument('<app>', 'name or id')
      .option('--hours <n>', 'hours of login counts (1–2160)', integer(1, 2160), 24),
  ).action(async (app: string, flags: ServerCommandFlags & { hours: number }) => {
    const format = formatOf(flags);
    const stats = await clientFor(flags, ctx).request<{
      app: string;
      cards: Record<string, number>;
      online: number;
      hours: Array<{ hour: number; logins: number; failures: number }>;
    }>('GET', `${appPath(app)}/stats`, { query: { hours: flags.hours } });
    if (format === 'json') return ctx.out(`${JSON.stringify(stats, null, 2)}\n`);
    ctx.out(
      renderRecord(
        {
          app: stats.app,
          online: stats.online,
          ...Object.fromEntries(Object.entries(stats.cards).map(([k, v]) => [`cards.${k}`, v])),
        },
        format,
      ),
    );
    if (format === 'table' && stats.hours.length > 0)
      ctx.out(
        renderRows(
          stats.hours.map((h) => ({ ...h, hour: msTime(h.hour) })),
          [{ key: 'hour' }, { key: 'logins' }, { key: 'failures', header: 'refused' }],
          format,
        ),
      );
  });
}
