// The OpenAPI 3.1 description served at /openapi.json. Request bodies of the potato API and every
// reply shape are components generated from the zod schemas (src/schema); messages come from
// core. The HTTP suite validates every reply it receives against this document.
import { POTATO_MESSAGES } from '@kami-verify/core';
import { TRANSPORT_MESSAGES } from '../http/transport-errors';
import { openApiComponents } from '../schema/json-schema';
import { ADMIN_SECURITY_SCHEME, adminPaths } from './admin';
import { catalogueSchemas, T3_FORM_COMPONENTS, T3_REPLY_COMPONENTS } from './t3-catalogue-schemas';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });

/** The fields every T3 request may carry after its own. */
const COMMON_T3: Record<string, Schema> = {
  t: str('Unix time in seconds (10 digits). Required when the app checks timestamps.', {
    pattern: '^\\d{10}$',
  }),
  s: str(
    'md5 of the sign text "k1=v1&k2=v2&...&t=T&" + APPKEY over the fields as sent (encoded values, sent order), 32 lowercase hex. Required when the app checks signatures.',
  ),
  safe_code: str('Nonce echoed unchanged in the login reply.'),
};

function form(description: string, fields: Record<string, Schema>, required: string[] = []): Schema {
  return {
    type: 'object',
    description,
    properties: { ...fields, ...COMMON_T3 },
    ...(required.length ? { required } : {}),
  };
}

function t3Schemas(): Record<string, Schema> {
  return {
    LoginForm: form(
      'login: card login. Binds the first machine code; activates a time card on first use.',
      {
        kami: str('The card key (卡密).'),
        imei: str("Machine code; required when the app checks machine codes; must not contain '."),
      },
      ['kami'],
    ),
    HeartbeatForm: form(
      'heartbeat: renews the statecode of a login.',
      {
        statecode: str('The statecode of the login reply.'),
        kami: str('Optional card key; checked when given.'),
      },
      ['statecode'],
    ),
    QueryForm: form('query: card state without logging in.', { kami: str('The card key.') }, ['kami']),
    UnbindForm: form(
      'unbind: clears the bound device; counts toward change.',
      { kami: str('The card key.'), imei: str('The currently bound machine code.') },
      ['kami', 'imei'],
    ),
    NoticeForm: form('notice / version: no own fields.', {}),
    CheckUpdateForm: form('check_update: compares the client version.', { ver: str('The client version.') }, [
      'ver',
    ]),
    // One reply union per endpoint. Each success shape and T3Error are closed objects with
    // different keys or constants, so oneOf holds; only a notice text can equal an error text.
    T3LoginReply: { oneOf: [ref('LoginSuccess'), ref('T3Error')] },
    T3HeartbeatReply: { oneOf: [ref('HeartbeatSuccess'), ref('T3Error')] },
    T3QueryReply: { oneOf: [ref('QuerySuccess'), ref('T3Error')] },
    T3UnbindReply: { oneOf: [ref('UnbindSuccess'), ref('T3Error')] },
    T3NoticeReply: { anyOf: [ref('NoticeSuccess'), ref('T3Error')] },
    T3VersionReply: { oneOf: [ref('VersionSuccess'), ref('T3Error')] },
    T3CheckUpdateReply: { oneOf: [ref('CheckUpdateAvailable'), ref('CheckUpdateLatest'), ref('T3Error')] },
    ...catalogueSchemas(COMMON_T3),
    T3Reply: {
      description:
        'The reply of the endpoint the 调用码 names (see T3LoginReply … T3CheckUpdateReply); the T3Error branch is common to all of them.',
      anyOf: T3_REPLIES.map(ref),
    },
  };
}

const T3_REPLIES = T3_REPLY_COMPONENTS;

function potatoSchemas(): Record<string, Schema> {
  return {
    // The envelopes are told apart by `status` (true only on success).
    PotatoLoginReply: { oneOf: [ref('PotatoLoginEnvelope'), ref('PotatoError')] },
    CreateCardReply: { oneOf: [ref('CreateCardEnvelope'), ref('PotatoError')] },
    CardListReply: { oneOf: [ref('CardListEnvelope'), ref('PotatoError')] },
  };
}

/** Transport errors (4xx and the last-resort 500) in the form the path family answers them. */
function transportResponses(codes: readonly number[], schema: string): Record<string, Schema> {
  return Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: TRANSPORT_MESSAGES[c as keyof typeof TRANSPORT_MESSAGES] ?? String(c),
        content: { 'application/json': { schema: ref(schema) } },
      },
    ]),
  );
}

const T3_TRANSPORT = [400, 404, 405, 413, 415, 429, 500, 503] as const;
const POTATO_TRANSPORT = [400, 404, 405, 413, 415, 429, 500, 503] as const;

function potatoOperation(
  operationId: string,
  summary: string,
  description: string,
  request: string,
  reply: string,
  auth: boolean,
): Schema {
  const body = { schema: ref(request) };
  return {
    post: {
      operationId,
      tags: ['potatocloud'],
      summary,
      description: `${description}\n\nErrors are HTTP 200 with envelope code 403 (${POTATO_MESSAGES.ASK_KEY_INVALID}, ${POTATO_MESSAGES.USER_TOKEN_INVALID}, ${POTATO_MESSAGES.LOGIN_FAILED}, ${POTATO_MESSAGES.PERMISSION_DENIED}, ${POTATO_MESSAGES.SIGNATURE_REQUIRED}, ${POTATO_MESSAGES.SIGNATURE_INVALID}, ${POTATO_MESSAGES.TIMESTAMP_INVALID}) or 500 (${POTATO_MESSAGES.BAD_REQUEST}, ${POTATO_MESSAGES.INVALID_TYPE}, ${POTATO_MESSAGES.INVALID_TOTAL}).`,
      security: [auth ? { askKey: [], apiUserToken: [] } : { askKey: [] }],
      parameters: [
        {
          name: 'time',
          in: 'header',
          required: false,
          schema: { type: 'string', pattern: '^\\d{1,16}$' },
          description: 'ms; required when the app checks potato signatures.',
        },
        {
          name: 'sign',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'md5(signSecret + time); required with time.',
        },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': body,
          'application/x-www-form-urlencoded': body,
          'multipart/form-data': body,
        },
      },
      responses: {
        '200': {
          description: 'Envelope; status true on success.',
          content: { 'application/json': { schema: ref(reply) } },
        },
        ...transportResponses(POTATO_TRANSPORT, 'PotatoTransportError'),
      },
    },
  };
}

/** The operations that are not part of a protocol: no auth, no 4xx of their own. */
function operation(operationId: string, summary: string, content: Schema): Schema {
  return {
    get: {
      operationId,
      tags: ['operations'],
      summary,
      security: [],
      responses: {
        '200': { description: summary, content },
        ...transportResponses([500], 'TransportError'),
      },
    },
  };
}

export function openApiDocument(): Schema {
  const t3Forms = T3_FORM_COMPONENTS;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Kami Verify reference server',
      version: '0.1.0',
      description:
        "Card-key (卡密) licensing: the T3 login family (one opaque 调用码 per app endpoint) and the potatocloud card API under /api/. Business errors are HTTP 200 with the protocol's own body; 4xx is for transport problems only.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the server that serves this document.
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      { name: 't3', description: 'T3 网络验证 login family.' },
      { name: 'potatocloud', description: '土豆API card management.' },
      { name: 'operations', description: 'Health and documentation.' },
      { name: 'admin', description: 'Operator API (bearer admin token), see docs/operations.md.' },
    ],
    paths: {
      '/{callCode}': {
        post: {
          operationId: 't3Call',
          tags: ['t3'],
          summary: 'T3 endpoint addressed by its 调用码',
          description: [
            'Each app endpoint (every route of spec/catalogue/t3.json) has its own 16-hex 调用码; the code decides which form applies and which reply (T3LoginReply … T3CheckUpdateReply) comes back.',
            "Checks in order: 程序未开启, 接口未开启, timestamp (时间戳参数不可为空 / 验证数据已失效,请重试), signature (签名参数不可为空 / 签名有误), then the endpoint's own.",
            'Value encoding per app: plain, base64 (custom alphabet, values as uppercase hex; reply is alphabet base64 text) or RSA (PKCS#1 v1.5 with the app public key, uppercase hex; reply is base64 of private-key blocks). Encoded replies are text/plain and decode to the JSON reply.',
            'check_update answers code 201 已是最新版 when ver equals the latest version.',
          ].join('\n\n'),
          // The request is authenticated by its signature field `s`, not by a credential.
          security: [],
          parameters: [
            {
              name: 'callCode',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: '^[0-9A-F]{16}$' },
              description: '调用码',
            },
          ],
          requestBody: {
            required: false,
            content: { 'application/x-www-form-urlencoded': { schema: { anyOf: t3Forms.map(ref) } } },
          },
          responses: {
            '200': {
              description: 'Success or business error.',
              content: {
                'application/json': { schema: ref('T3Reply') },
                'text/plain': {
                  schema: { type: 'string', description: 'The JSON reply, encoded with the app codec.' },
                },
              },
            },
            ...transportResponses(T3_TRANSPORT, 'TransportError'),
            '429': {
              description:
                'Too many failed attempts from this IP (Retry-After). Plain JSON for plain apps; for a base64 or RSA app the same body encoded with its codec, text/plain.',
              content: {
                'application/json': { schema: ref('TransportError') },
                'text/plain': {
                  schema: { type: 'string', description: 'The JSON body, encoded with the app codec.' },
                },
              },
            },
          },
        },
      },
      '/api/login': potatoOperation(
        'potatoLogin',
        'Reseller login',
        'Returns apiUserToken for the other calls.',
        'PotatoLoginRequest',
        'PotatoLoginReply',
        false,
      ),
      '/api/createCardMy': potatoOperation(
        'createCardMy',
        'Create cards',
        'Needs the app\'s "API 生成卡密" switch.',
        'CreateCardRequest',
        'CreateCardReply',
        true,
      ),
      '/api/getCardMyList': potatoOperation(
        'getCardMyList',
        'List cards',
        'Paged, newest first.',
        'CardListRequest',
        'CardListReply',
        true,
      ),
      '/healthz': operation('healthz', 'Liveness', { 'application/json': { schema: ref('Healthz') } }),
      '/openapi.json': operation('openApiDocument', 'This document (OpenAPI 3.1)', {
        'application/json': { schema: { type: 'object' } },
      }),
      '/docs': operation('docsPage', 'Interactive reference (HTML)', {
        'text/html': { schema: { type: 'string' } },
      }),
      ...adminPaths(),
    },
    components: {
      securitySchemes: {
        ...ADMIN_SECURITY_SCHEME,
        askKey: { type: 'apiKey', in: 'header', name: 'askKey', description: "The app's potatocloud token." },
        apiUserToken: {
          type: 'apiKey',
          in: 'header',
          name: 'apiUserToken',
          description: 'From /api/login; expires after userTokenTtlSeconds.',
        },
      },
      schemas: { ...t3Schemas(), ...potatoSchemas(), ...openApiComponents() },
    },
  };
}
