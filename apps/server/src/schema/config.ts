// The declarative server configuration: what a JSON config file holds and what
// `startServer({ config })` accepts. Types, validation, defaults and config.schema.json all come
// from these schemas.
import { z } from 'zod';
import { bool, hexText, int, str, strict } from './fields';
import { AppSettingsSchema, perRoute } from './settings';

const ROUTE_CODE = /^[0-9A-F]{16}$/;
const CARD_STR = /^[0-9A-Za-z_-]{4,64}$/;

/** How a card is limited. */
export const CardKindSchema = z.discriminatedUnion(
  'kind',
  [
    strict({
      kind: z.literal('time'),
      type: z
        .literal([0, 1, 2, 3, 4], { error: 'must be an integer from 0 to 4' })
        .describe('0 day, 1 week, 2 month, 3 season, 4 year card.'),
    }),
    strict({ kind: z.literal('permanent') }),
    strict({ kind: z.literal('count'), uses: int(1, 1_000_000) }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'must be one of "time", "permanent", "count"' : 'must be an object',
  },
);
export type CardKind = z.output<typeof CardKindSchema>;

const PreloadCardSchema = strict({
  cardStr: str({ pattern: CARD_STR, hint: '4–64 letters, digits, - or _' }),
  card: CardKindSchema,
  core: hexText().optional(),
  disabled: bool().optional(),
  imei: str({ nonEmpty: true })
    .refine((v) => !v.includes("'"), { error: "must not contain '" })
    .optional(),
});

export const AppConfigSchema = strict({
  name: str({ nonEmpty: true }).describe('Stable identity across restarts; apps are upserted by name.'),
  appKey: str({ nonEmpty: true })
    .optional()
    .describe('Signs requests and tokens. Generated from a CSPRNG and persisted when omitted.'),
  askKey: str({ nonEmpty: true })
    .optional()
    .describe('potatocloud app token. Generated and persisted when omitted.'),
  routes: strict(perRoute(() => str({ pattern: ROUTE_CODE, hint: '16 uppercase hex characters' }).optional()))
    .optional()
    .describe('调用码 per endpoint; generated (16 uppercase hex) and persisted when omitted.'),
  settings: AppSettingsSchema.optional(),
  potatoUsers: z
    .array(strict({ userNumber: str({ nonEmpty: true }), passWord: str({ nonEmpty: true }) }), {
      error: 'must be an array',
    })
    .optional()
    .describe('potatocloud reseller accounts of this app.'),
  cards: z
    .array(PreloadCardSchema, { error: 'must be an array' })
    .optional()
    .describe('Cards to preload (inserted if absent, by cardStr).'),
});
/** A declarative app definition (config file, `startServer({ apps })`, the testing API). */
export type AppConfig = z.input<typeof AppConfigSchema>;

const ThrottleSchema = strict({
  maxFailures: int(1).default(10).describe('Failed logins allowed per IP within the window.'),
  windowSeconds: int(1, 86_400).default(60).describe('Window length in seconds.'),
});
export type ThrottleConfig = z.output<typeof ThrottleSchema>;

export const ServerSectionSchema = strict({
  cors: strict({
    origins: z.array(
      str({
        pattern: /^(\*|https?:\/\/[^/\s]+)$/,
        hint: '"*" or an origin like "https://example.com" (no path)',
      }),
      { error: 'must be an array of origins' },
    ),
  })
    .optional()
    .describe('Browser origins allowed to call the API ("*" allows any). Default: no CORS headers.'),
  throttle: z
    .union([z.literal(false), ThrottleSchema], { error: 'must be false or an object' })
    .prefault({})
    .describe(
      'Failed attempts per client IP on the routes that can guess a secret (T3 login, heartbeat, query, unbind; potato login); false turns it off.',
    ),
  bodyLimit: int(1024, 16 * 1024 * 1024)
    .default(64 * 1024)
    .describe('Largest accepted request body, bytes.'),
  trustProxy: z
    .union([z.boolean(), z.number(), z.string()], {
      error: 'must be a boolean, a hop count or an address list',
    })
    .default(false)
    .describe(
      'Express "trust proxy": false = the socket address (X-Forwarded-For ignored); set it (1, "loopback", …) behind a proxy.',
    ),
  t3ErrorCode: int(0, 99_999)
    .default(201)
    .describe('The `code` of T3 error replies (the hosted service\'s "not 200").'),
  userTokenTtlSeconds: int(1).default(7200).describe('Lifetime of a potato apiUserToken, seconds.'),
  headersTimeoutSeconds: int(1, 600)
    .default(20)
    .describe('A request whose headers have not all arrived by then is closed (slow-loris guard).'),
  requestTimeoutSeconds: int(1, 3600)
    .default(30)
    .describe('A request (headers and body) not complete by then gets 408 and is closed.'),
  maxConnections: int(1, 1_000_000)
    .default(10_000)
    .describe('Open connections the server accepts; beyond, new ones are closed at once.'),
});
export type ServerSection = z.input<typeof ServerSectionSchema>;

export const ServerConfigSchema = strict({
  $schema: z.string().optional().describe('The JSON Schema this file follows (for editors).'),
  apps: z.array(AppConfigSchema, { error: 'must be an array of app definitions' }),
  server: ServerSectionSchema.optional(),
}).superRefine(
  (config, ctx) => {
    checkUniqueness(config.apps as unknown[], ctx);
    checkErrorCode(config as { apps: unknown[]; server?: unknown }, ctx);
  },
  // Also when a field failed: the operator gets every problem in one pass.
  { when: (payload) => record(payload.value) !== undefined },
);
export type ServerConfig = z.input<typeof ServerConfigSchema>;

/** The server section with every default filled in. */
export interface ResolvedServerSection {
  corsOrigins: string[];
  throttle: ThrottleConfig | false;
  bodyLimit: number;
  trustProxy: boolean | number | string;
  t3ErrorCode: number;
  userTokenTtlSeconds: number;
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  maxConnections: number;
}

export function resolveServerSection(section: ServerSection | undefined): ResolvedServerSection {
  const { cors, ...rest } = ServerSectionSchema.parse(section ?? {});
  return { corsOrigins: cors?.origins ?? [], ...rest };
}

export const SERVER_DEFAULTS: ResolvedServerSection = resolveServerSection({});

// Cross-field rules. They read the raw value defensively: they run even when a field failed, so
// one pass reports every problem.
type Ctx = z.RefinementCtx;
const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Names, 调用码 and askKeys identify apps, so two apps must never share one. */
function checkUniqueness(apps: unknown[], ctx: Ctx) {
  if (!Array.isArray(apps)) return;
  const seen = new Map<string, string>();
  const claim = (kind: string, value: unknown, path: Array<string | number>) => {
    if (typeof value !== 'string') return;
    const first = seen.get(`${kind}:${value}`);
    if (first) ctx.addIssue({ code: 'custom', path, message: `duplicate ${kind} (also used at ${first})` });
    else seen.set(`${kind}:${value}`, formatPath(path));
  };
  apps.forEach((raw, i) => {
    const app = record(raw);
    if (!app) return;
    claim('name', app.name, ['apps', i, 'name']);
    claim('askKey', app.askKey, ['apps', i, 'askKey']);
    for (const [k, v] of Object.entries(record(app.routes) ?? {}))
      claim('route code', v, ['apps', i, 'routes', k]);
  });
}

/** An error reply must never read as success: the T3 error code differs from every success code. */
function checkErrorCode(config: { apps: unknown[]; server?: unknown }, ctx: Ctx) {
  if (!Array.isArray(config.apps)) return;
  const configured = record(config.server)?.t3ErrorCode;
  const errorCode = typeof configured === 'number' ? configured : 201;
  config.apps.forEach((app, i) => {
    const success = record(record(app)?.settings)?.successCode ?? 200;
    if (success === errorCode) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'settings', 'successCode'],
        message: `must differ from the T3 error code ${errorCode}`,
      });
    }
  });
}

/** `apps[0].settings.codeType`: the JSON path an operator searches the file for. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '$' : out;
}
