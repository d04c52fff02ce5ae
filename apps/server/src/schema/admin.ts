// The admin API (/admin/v1/, http/admin): request bodies, query strings and reply shapes. The
// OpenAPI components come from these; the HTTP layer validates with them and names the JSON path
// of the first problem.
import { z } from 'zod';
import { CardKindSchema } from './config';
import { int, oneOf, str, strict } from './fields';
import { AppSettingsSchema } from './settings';

const LABEL = /^[^\u0000-\u001f\u007f]*$/;
const label = (max: number) =>
  str({ pattern: LABEL, hint: 'text without control characters' }).max(max, {
    error: `must be at most ${max} characters`,
  });

export const CARD_STATES = ['unused', 'active', 'ended', 'disabled', 'deleted'] as const;
export const ADMIN_SCOPES = ['read', 'full'] as const;
/** Most cards one creation call makes. */
export const MAX_ADMIN_CARDS_PER_CALL = 1_000_000;
/** Default overlap of a rotated key: 7 days. */
export const DEFAULT_OVERLAP_SECONDS = 7 * 86_400;

// --- requests ----------------------------------------------------------------------------------

export const CreateTokenRequestSchema = strict({
  name: str({ nonEmpty: true }).max(100, { error: 'must be at most 100 characters' }),
  scope: oneOf(ADMIN_SCOPES),
  apps: z.array(str({ nonEmpty: true }), { error: 'must be an array of app ids or names' }).optional(),
});

export const CreateAppRequestSchema = strict({
  name: str({ nonEmpty: true }).max(100, { error: 'must be at most 100 characters' }),
  settings: AppSettingsSchema.optional(),
});

/** Top-level keys replace the stored value (nested objects such as `encoding` are replaced whole). */
export const UpdateSettingsRequestSchema = strict({
  settings: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
});

export const RotateKeysRequestSchema = strict({
  appKey: z.boolean({ error: 'must be true or false' }).optional(),
  askKey: z.boolean({ error: 'must be true or false' }).optional(),
  overlapSeconds: int(0, 90 * 86_400).optional(),
});

export const CreateCardsRequestSchema = strict({
  card: CardKindSchema,
  count: int(1, MAX_ADMIN_CARDS_PER_CALL),
  remark: label(500).optional(),
  batch: label(100).optional(),
  format: oneOf(['ndjson', 'csv'] as const).optional(),
});

export const ExpiryRequestSchema = strict({
  expiresAt: int(0, 253_402_300_799).optional().describe('New expiry, unix seconds.'),
  extendSeconds: int(-3_153_600_000, 3_153_600_000).optional().describe('Moves the expiry by this much.'),
}).refine((v) => (v.expiresAt === undefined) !== (v.extendSeconds === undefined), {
  error: 'give exactly one of expiresAt, extendSeconds',
});

const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, { error: `must be an integer from ${min} to ${max}` })
    .transform(Number)
    .pipe(int(min, max));

export const CardListQuerySchema = z.object({
  state: oneOf(CARD_STATES).optional(),
  kind: oneOf(['time', 'permanent', 'count'] as const).optional(),
  batch: z.string().optional(),
  bound: oneOf(['true', 'false'] as const).optional(),
  expiring_before: queryInt(0, 253_402_300_799).optional(),
  cursor: z.string().optional(),
  limit: queryInt(1, 1000).optional(),
});

export const ExportQuerySchema = CardListQuerySchema.omit({ cursor: true, limit: true }).extend({
  format: oneOf(['csv', 'json'] as const).optional(),
});

export const PageQuerySchema = z.object({
  cursor: z.string().optional(),
  limit: queryInt(1, 1000).optional(),
});

// --- replies -----------------------------------------------------------------------------------

export const AdminError = z
  .strictObject({
    code: z.int().describe('The HTTP status.'),
    msg: z.string(),
    field: z.string().optional().describe('JSON path (or query parameter, CSV row:column) of the bad input.'),
  })
  .describe('Any admin API error.');

export const AdminToken = z.strictObject({
  id: z.string(),
  name: z.string(),
  scope: z.enum(ADMIN_SCOPES),
  apps: z.array(z.string()).nullable().describe('App ids the token is limited to; null = all.'),
  createdAt: z.int(),
  revokedAt: z.int().nullable(),
});
export const AdminTokenList = z.strictObject({ tokens: z.array(AdminToken) });
export const AdminTokenCreated = z.strictObject({
  token: AdminToken,
  secret: z.string().describe('Shown once; only its sha-256 is stored.'),
});

const Routes = z.record(z.string(), z.string()).describe('调用码 per endpoint.');
export const AdminApp = z.strictObject({
  id: z.string(),
  name: z.string(),
  origin: z.enum(['config', 'admin']).describe('config: defined in the config file; admin: created here.'),
  routes: Routes,
  settings: z
    .record(z.string(), z.unknown())
    .describe('Secrets (RSA private key, potatoSignSecret) only with include_secrets.'),
  rotation: z.strictObject({
    appKeyOverlapUntil: z.int().nullable(),
    askKeyOverlapUntil: z.int().nullable(),
  }),
  secrets: z
    .strictObject({
      appKey: z.string(),
      askKey: z.string(),
      previousAppKey: z.string().nullable(),
      previousAskKey: z.string().nullable(),
    })
    .optional()
    .describe('Only with include_secrets=true and a full-scope token.'),
});
export const AdminAppList = z.strictObject({ apps: z.array(AdminApp) });

export const AdminCardView = z.strictObject({
  key: z.string(),
  kind: z.enum(['time', 'permanent', 'count']),
  type: z.int().nullable(),
  state: z.enum(CARD_STATES),
  device: z.string().nullable(),
  firstUse: z.int().nullable().describe('Unix seconds.'),
  expiresAt: z.int().nullable().describe('Unix seconds.'),
  usesLeft: z.int().nullable(),
  changes: z.int(),
  remark: z.string(),
  batch: z.string(),
  createdAt: z.int().describe('ms'),
});
export const AdminCardPage = z.strictObject({
  cards: z.array(AdminCardView),
  nextCursor: z.string().nullable(),
});
export const AdminCardResult = z.strictObject({ card: AdminCardView });
export const AdminImportResult = z.strictObject({ imported: z.int() });
export const AdminCount = z.strictObject({ count: z.int() });

export const AdminSession = z.strictObject({
  statecode: z.string(),
  key: z.string(),
  device: z.string(),
  createdAt: z.int(),
  expiresAt: z.int(),
});
export const AdminSessionList = z.strictObject({ sessions: z.array(AdminSession) });

export const AdminAuditEntry = z.strictObject({
  id: z.string(),
  at: z.int(),
  tokenId: z.string().nullable(),
  tokenName: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  params: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string(),
  status: z.int(),
  result: z.string().nullable(),
});
export const AdminAuditPage = z.strictObject({
  entries: z.array(AdminAuditEntry),
  nextCursor: z.string().nullable(),
});

export const AdminStats = z.strictObject({
  app: z.string(),
  cards: z.strictObject(
    Object.fromEntries(CARD_STATES.map((s) => [s, z.int()])) as Record<
      (typeof CARD_STATES)[number],
      z.ZodInt
    >,
  ),
  online: z.int(),
  hours: z.array(
    z.strictObject({ hour: z.int().describe('Start of the hour, ms.'), logins: z.int(), failures: z.int() }),
  ),
});

export const AdminReplies = {
  AdminError,
  AdminToken,
  AdminTokenList,
  AdminTokenCreated,
  AdminApp,
  AdminAppList,
  AdminCardView,
  AdminCardPage,
  AdminCardResult,
  AdminImportResult,
  AdminCount,
  AdminSession,
  AdminSessionList,
  AdminAuditEntry,
  AdminAuditPage,
  AdminStats,
};
export const AdminRequests = {
  AdminCreateTokenRequest: CreateTokenRequestSchema,
  AdminCreateAppRequest: CreateAppRequestSchema,
  AdminUpdateSettingsRequest: UpdateSettingsRequestSchema,
  AdminRotateKeysRequest: RotateKeysRequestSchema,
  AdminCreateCardsRequest: CreateCardsRequestSchema,
  AdminExpiryRequest: ExpiryRequestSchema,
};
