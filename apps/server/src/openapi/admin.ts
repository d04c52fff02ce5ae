// The admin API's part of the OpenAPI document: /admin/v1/ paths. Shapes are the components made
// from schema/admin.ts.
type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });

const ERRORS: Record<string, string> = {
  '400': 'Bad input; `field` names it (JSON path, query parameter, or CSV row:column).',
  '401': 'Missing, unknown or revoked token (WWW-Authenticate: Bearer).',
  '403': 'The token lacks the scope, or is not allowed this app.',
  '404': 'No such app, card or token.',
  '409': 'Conflicts with the current state (name taken, value pinned by the config file, key exists).',
  '413': 'Body too large.',
  '415': 'Wrong Content-Type.',
  '429': 'Too many failed authentications from this IP (Retry-After).',
};

function errors(): Record<string, Schema> {
  return Object.fromEntries(
    Object.entries(ERRORS).map(([status, description]) => [
      status,
      { description, content: json(ref('AdminError')) },
    ]),
  );
}

const APP_PARAM = {
  name: 'app',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'App id or name.',
};
const KEY_PARAM = {
  name: 'key',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'Card key.',
};
const TOKEN_PARAM = {
  name: 'token',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'Token id or name.',
};
const query = (name: string, description: string, schema: Schema = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});
const PAGE = [
  query('cursor', 'nextCursor of the previous page.'),
  query('limit', 'Page size 1–1000 (default 100).', { type: 'string', pattern: '^\\d+$' }),
];
const CARD_FILTERS = [
  query('state', 'unused, active, ended, disabled or deleted (default: every undeleted card).', {
    type: 'string',
    enum: ['unused', 'active', 'ended', 'disabled', 'deleted'],
  }),
  query('kind', 'time, permanent or count.', { type: 'string', enum: ['time', 'permanent', 'count'] }),
  query('batch', 'Exact batch label.'),
  query('bound', 'true: bound to a device; false: not bound.', { type: 'string', enum: ['true', 'false'] }),
  query('expiring_before', 'Unix seconds: time cards whose expiry is earlier.', {
    type: 'string',
    pattern: '^\\d+$',
  }),
];

function op(
  operationId: string,
  summary: string,
  description: string,
  ok: Record<string, Schema>,
  extra: Schema = {},
): Schema {
  return {
    operationId,
    tags: ['admin'],
    summary,
    description,
    security: [{ adminBearer: [] }],
    ...extra,
    responses: { ...ok, ...errors() },
  };
}

const okJson = (name: string, status = '200', description = 'OK') => ({
  [status]: { description, content: json(ref(name)) },
});
const body = (name: string) => ({ requestBody: { required: true, content: json(ref(name)) } });

export function adminPaths(): Record<string, Schema> {
  const cardAction = (id: string, summary: string, description: string) => ({
    post: op(id, summary, description, okJson('AdminCardResult'), { parameters: [APP_PARAM, KEY_PARAM] }),
  });
  return {
    '/admin/v1/tokens': {
      get: op(
        'adminListTokens',
        'List admin tokens',
        'Full scope, unrestricted token. Never shows secrets.',
        okJson('AdminTokenList'),
      ),
      post: op(
        'adminCreateToken',
        'Create an admin token',
        'Full scope, unrestricted token. The secret is in this reply only; the server keeps its sha-256.',
        okJson('AdminTokenCreated', '201', 'Created'),
        body('AdminCreateTokenRequest'),
      ),
    },
    '/admin/v1/tokens/{token}': {
      delete: op(
        'adminRevokeToken',
        'Revoke a token',
        'Takes effect at once on this process, within 5 s on others.',
        okJson('AdminCount'),
        {
          parameters: [TOKEN_PARAM],
        },
      ),
    },
    '/admin/v1/audit': {
      get: op(
        'adminAudit',
        'Audit log',
        'Newest first, cursor paged. Unrestricted token.',
        okJson('AdminAuditPage'),
        {
          parameters: PAGE,
        },
      ),
    },
    '/admin/v1/apps': {
      get: op('adminListApps', 'List apps', 'Apps the token may see; no secrets.', okJson('AdminAppList')),
      post: op(
        'adminCreateApp',
        'Create an app',
        'Fresh APPKEY, askKey and 调用码; stored in the database (origin "admin"). Full scope, unrestricted token.',
        okJson('AdminApp', '201', 'Created, with its secrets'),
        body('AdminCreateAppRequest'),
      ),
    },
    '/admin/v1/apps/{app}': {
      get: op(
        'adminShowApp',
        'Show an app',
        'Secrets only with include_secrets=true and a full-scope token.',
        okJson('AdminApp'),
        {
          parameters: [
            APP_PARAM,
            query('include_secrets', 'true to include APPKEY, askKey and the settings secrets.'),
          ],
        },
      ),
    },
    '/admin/v1/apps/{app}/settings': {
      patch: op(
        'adminUpdateSettings',
        'Change settings',
        'Top-level keys replace the stored values; the result is validated by the settings schema. Refused (409) for apps defined in the config file.',
        okJson('AdminApp'),
        { parameters: [APP_PARAM], ...body('AdminUpdateSettingsRequest') },
      ),
    },
    '/admin/v1/apps/{app}/rotate': {
      post: op(
        'adminRotateKeys',
        'Rotate APPKEY and/or askKey',
        'The previous key stays accepted for overlapSeconds (default 7 days), then only the new one.',
        okJson('AdminApp'),
        { parameters: [APP_PARAM], ...body('AdminRotateKeysRequest') },
      ),
    },
    '/admin/v1/apps/{app}/routes/regenerate': {
      post: op(
        'adminRegenerateRoutes',
        'New 调用码',
        'Every endpoint gets a new code; the old codes stop working at once (clients must be updated).',
        okJson('AdminApp'),
        { parameters: [APP_PARAM] },
      ),
    },
    '/admin/v1/apps/{app}/cards': {
      post: op(
        'adminCreateCards',
        'Create cards in bulk',
        'Streams the new keys as they are inserted: NDJSON lines {"key"} then {"done":true,"created":N} (or {"done":false,...}: nothing was created), or CSV with format "csv". One transaction.',
        {
          '200': {
            description: 'Streamed keys',
            content: {
              'application/x-ndjson': {
                schema: {
                  anyOf: [
                    {
                      type: 'object',
                      properties: { key: { type: 'string' } },
                      required: ['key'],
                      additionalProperties: false,
                    },
                    {
                      type: 'object',
                      properties: {
                        done: { type: 'boolean' },
                        created: { type: 'integer' },
                        error: { type: 'string' },
                      },
                      required: ['done', 'created'],
                      additionalProperties: false,
                    },
                  ],
                },
              },
              'text/csv': { schema: { type: 'string' } },
            },
          },
        },
        { parameters: [APP_PARAM], ...body('AdminCreateCardsRequest') },
      ),
      get: op(
        'adminListCards',
        'List cards',
        'Filtered, keyset paged (oldest first).',
        okJson('AdminCardPage'),
        {
          parameters: [APP_PARAM, ...CARD_FILTERS, ...PAGE],
        },
      ),
    },
    '/admin/v1/apps/{app}/export': {
      get: op(
        'adminExportCards',
        'Export cards',
        'CSV (default) or a JSON array, streamed; the CSV imports back unchanged.',
        {
          '200': {
            description: 'The export',
            content: {
              'text/csv': { schema: { type: 'string' } },
              'application/json': { schema: { type: 'array', items: { type: 'object' } } },
            },
          },
        },
        {
          parameters: [
            APP_PARAM,
            ...CARD_FILTERS,
            query('format', 'csv (default) or json', { type: 'string', enum: ['csv', 'json'] }),
          ],
        },
      ),
    },
    '/admin/v1/apps/{app}/import': {
      post: op(
        'adminImportCards',
        'Import cards',
        'The export CSV (text/csv). Validated first; all or nothing.',
        okJson('AdminImportResult', '201', 'Imported'),
        {
          parameters: [APP_PARAM],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
        },
      ),
    },
    '/admin/v1/apps/{app}/cards/{key}': {
      get: op('adminShowCard', 'Show a card', '', okJson('AdminCardResult'), {
        parameters: [APP_PARAM, KEY_PARAM],
      }),
      delete: op(
        'adminDeleteCard',
        'Delete a card',
        'Soft delete; its sessions end.',
        okJson('AdminCardResult'),
        {
          parameters: [APP_PARAM, KEY_PARAM],
        },
      ),
    },
    '/admin/v1/apps/{app}/cards/{key}/disable': cardAction(
      'adminDisableCard',
      'Disable a card',
      'Its heartbeats answer 卡密被禁用.',
    ),
    '/admin/v1/apps/{app}/cards/{key}/enable': cardAction('adminEnableCard', 'Enable a card', ''),
    '/admin/v1/apps/{app}/cards/{key}/unbind': cardAction(
      'adminUnbindCard',
      'Reset the device binding',
      "Clears device and IP, ends the sessions; not counted toward the card's unbind limit.",
    ),
    '/admin/v1/apps/{app}/cards/{key}/expiry': {
      post: op(
        'adminCardExpiry',
        'Set or extend expiry',
        'Activated time cards only.',
        okJson('AdminCardResult'),
        {
          parameters: [APP_PARAM, KEY_PARAM],
          ...body('AdminExpiryRequest'),
        },
      ),
    },
    '/admin/v1/apps/{app}/sessions': {
      get: op(
        'adminSessions',
        'Online sessions',
        'Of the app, or of one card (card=KEY).',
        okJson('AdminSessionList'),
        {
          parameters: [APP_PARAM, query('card', 'Only this card.')],
        },
      ),
    },
    '/admin/v1/apps/{app}/sessions/kick': {
      post: op(
        'adminKick',
        'Kick sessions',
        'Body {"card": KEY} ends that card\'s sessions; {"all": true} every session of the app.',
        okJson('AdminCount'),
        {
          parameters: [APP_PARAM],
          requestBody: { required: true, content: json({ type: 'object' }) },
        },
      ),
    },
    '/admin/v1/apps/{app}/stats': {
      get: op(
        'adminStats',
        'Statistics',
        'Cards by state, online sessions, logins and refusals per hour.',
        okJson('AdminStats'),
        {
          parameters: [APP_PARAM, query('hours', 'Hours back, 1–2160 (default 24).')],
        },
      ),
    },
  };
}

export const ADMIN_SECURITY_SCHEME = {
  adminBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'An admin token (kamiadm_…), created with `kami token create` or POST /admin/v1/tokens.',
  },
};
