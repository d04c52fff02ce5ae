// The OpenAPI 3.1 description served at /openapi.json. Messages and card types come from core,
// so the document cannot drift from what the server sends.
import {
  CARD_TYPES,
  MAX_CARDS_PER_CALL,
  POTATO_MESSAGES,
  T3_MESSAGES,
  T3_SUCCESS_MESSAGES,
} from '@kami-verify/core';
import { TRANSPORT_MESSAGES } from '../http/transport-errors';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });

const CODE: Schema = {
  type: ['string', 'integer'],
  description:
    'Status code; string ("200") or integer (200) per the app\'s codeType. Success value per app (default 200).',
};

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
    LoginSuccess: {
      type: 'object',
      description: "Fields in exactly this order (the seed's).",
      properties: {
        code: CODE,
        id: { type: ['integer', 'string'], description: '单码卡密 ID' },
        end_time: str('到期时间, YYYY-MM-DD HH:mm:ss, Beijing time.'),
        amount: str('Duration text (30天, 永久卡, 3次).'),
        available: int('Seconds left (count cards: uses left − 1).'),
        token: str(
          'md5(id + APPKEY + end_time + date); two-way: md5(id + APPKEY + signText + end_time + date).',
        ),
        statecode: str('md5(token + time); send it to heartbeat.'),
        safe_code: str('The request\'s safe_code, or "".'),
        time: int('Server unix seconds.'),
        date: str('Server minute yyyyMMddHHmm, Beijing time.'),
        imei: str('Bound machine code.'),
        change: int('Unbinds so far.'),
        core: str('Core data, hex.'),
      },
      required: [
        'code',
        'id',
        'end_time',
        'amount',
        'available',
        'token',
        'statecode',
        'safe_code',
        'time',
        'date',
        'imei',
        'change',
        'core',
      ],
    },
    HeartbeatSuccess: {
      type: 'object',
      properties: {
        code: CODE,
        msg: { const: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE },
        time: int('Server unix seconds.'),
        date: str('yyyyMMddHHmm'),
      },
      required: ['code', 'msg', 'time', 'date'],
    },
    QuerySuccess: {
      type: 'object',
      description: 'Card state: state, use, id, use_time, end_time, amount, available.',
      properties: { code: CODE },
      additionalProperties: true,
    },
    UnbindSuccess: {
      type: 'object',
      properties: {
        code: CODE,
        msg: { const: T3_SUCCESS_MESSAGES.UNBIND_OK },
        change: int('Unbinds so far.'),
      },
    },
    NoticeSuccess: { type: 'object', properties: { code: CODE, msg: str('The app notice.') } },
    VersionSuccess: {
      type: 'object',
      properties: { code: CODE, ver: str('Latest version.'), msg: str('Latest version.') },
    },
    CheckUpdateAvailable: {
      type: 'object',
      properties: {
        code: CODE,
        ver: str('New version.'),
        version: str('New version.'),
        uplog: str('Change log.'),
        upurl: str('Download URL.'),
      },
    },
    CheckUpdateLatest: {
      type: 'object',
      properties: {
        code: { enum: ['201', 201], description: 'In the app code type.' },
        msg: { const: T3_SUCCESS_MESSAGES.ALREADY_LATEST },
      },
    },
    T3Error: {
      type: 'object',
      description:
        "Business error, HTTP 200. code is the server's error code (default 201) in the app's code type.",
      properties: { code: CODE, msg: { type: 'string', enum: Object.values(T3_MESSAGES) } },
      required: ['code', 'msg'],
    },
    TransportError: {
      type: 'object',
      description: 'Transport-level error (HTTP 4xx/5xx), always plain JSON; code equals the HTTP status.',
      properties: {
        code: int('HTTP status.'),
        msg: { type: 'string', examples: Object.values(TRANSPORT_MESSAGES) },
      },
      required: ['code', 'msg'],
    },
  };
}

function potatoSchemas(): Record<string, Schema> {
  const envelope = (data: Schema): Schema => ({
    type: 'object',
    properties: {
      code: {
        type: 'string',
        enum: ['200', '403', '500'],
        description: '200 ok, 403 permission / login expired, 500 bad request.',
      },
      message: { type: 'string', enum: ['', ...Object.values(POTATO_MESSAGES)] },
      status: { type: 'boolean', description: 'true exactly when code is "200".' },
      data,
      pc: { type: 'null' },
      time: { type: 'null' },
      sign: { type: 'null' },
    },
    required: ['code', 'message', 'status', 'data', 'pc', 'time', 'sign'],
  });
  return {
    PotatoCard: {
      type: 'object',
      properties: {
        id: str('Snowflake id (a string: it exceeds 2^53).', { pattern: '^\\d+$' }),
        createdDate: int('ms since the epoch'),
        modifiedDate: int('ms since the epoch'),
        status: int('0 deleted, 1 in use', { enum: [0, 1] }),
        ip: str('IP of the creator.'),
        appId: str('App id (string).'),
        cardStr: str('The card key, 32 uppercase hex.', { pattern: '^[0-9A-F]{32}$' }),
        exportState: int('Export state.'),
        state: int('Use state.'),
        type: ref('CardType'),
      },
      required: [
        'id',
        'createdDate',
        'modifiedDate',
        'status',
        'ip',
        'appId',
        'cardStr',
        'exportState',
        'state',
        'type',
      ],
    },
    CardType: {
      type: 'integer',
      minimum: 0,
      maximum: 5,
      description: CARD_TYPES.map((t) => `${t.type} ${t.name}`).join(', '),
    },
    PotatoLoginRequest: {
      type: 'object',
      properties: { userNumber: str('Reseller account.'), passWord: str('Password.') },
      required: ['userNumber', 'passWord'],
    },
    CreateCardRequest: {
      type: 'object',
      properties: {
        type: {
          ...ref('CardType'),
          description: 'Card type 0–5 (numeric strings accepted from form bodies).',
        },
        total: int(`Cards to create, 1–${MAX_CARDS_PER_CALL}.`, { minimum: 1, maximum: MAX_CARDS_PER_CALL }),
      },
      required: ['type', 'total'],
    },
    CardListRequest: {
      type: 'object',
      properties: {
        p: int('Page, from 1 (default 1).', { minimum: 1 }),
        s: int('Page size 1–100 (default 10).', { minimum: 1, maximum: 100 }),
        cardStr: str('Exact card key filter.'),
        state: int('State filter.'),
        type: ref('CardType'),
      },
    },
    PotatoLoginEnvelope: envelope({
      type: 'object',
      properties: { apiUserToken: str('Send as the apiUserToken header.'), expireTime: int('Token expiry.') },
    }),
    CreateCardEnvelope: envelope({ type: 'array', items: ref('PotatoCard') }),
    CardListEnvelope: envelope({
      type: 'object',
      properties: {
        list: { type: 'array', items: ref('PotatoCard') },
        total: int('Matching cards.'),
        p: int('Page.'),
        s: int('Page size.'),
      },
    }),
    PotatoError: envelope({ type: 'null' }),
  };
}

const transportResponses = (codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description: TRANSPORT_MESSAGES[c as keyof typeof TRANSPORT_MESSAGES] ?? String(c),
        content: { 'application/json': { schema: ref('TransportError') } },
      },
    ]),
  );

function potatoOperation(
  summary: string,
  description: string,
  request: string,
  success: string,
  auth: boolean,
): Schema {
  const headers = [
    {
      name: 'askKey',
      in: 'header',
      required: true,
      schema: { type: 'string' },
      description: 'The app token.',
    },
    ...(auth
      ? [
          {
            name: 'apiUserToken',
            in: 'header',
            required: true,
            schema: { type: 'string' },
            description: 'From /api/login.',
          },
        ]
      : []),
    {
      name: 'time',
      in: 'header',
      required: false,
      schema: { type: 'string' },
      description: 'ms; required when the app checks potato signatures.',
    },
    {
      name: 'sign',
      in: 'header',
      required: false,
      schema: { type: 'string' },
      description: 'md5(signSecret + time); required with time.',
    },
  ];
  const body = { schema: ref(request) };
  return {
    post: {
      tags: ['potatocloud'],
      summary,
      description: `${description}\n\nErrors are HTTP 200 with envelope code 403 (${POTATO_MESSAGES.ASK_KEY_INVALID}, ${POTATO_MESSAGES.USER_TOKEN_INVALID}, ${POTATO_MESSAGES.LOGIN_FAILED}, ${POTATO_MESSAGES.PERMISSION_DENIED}, ${POTATO_MESSAGES.SIGNATURE_REQUIRED}, ${POTATO_MESSAGES.SIGNATURE_INVALID}, ${POTATO_MESSAGES.TIMESTAMP_INVALID}) or 500 (${POTATO_MESSAGES.BAD_REQUEST}, ${POTATO_MESSAGES.INVALID_TYPE}, ${POTATO_MESSAGES.INVALID_TOTAL}).`,
      parameters: headers,
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
          content: { 'application/json': { schema: { oneOf: [ref(success), ref('PotatoError')] } } },
        },
        ...Object.fromEntries(
          [400, 404, 413, 415, 429].map((c) => [
            String(c),
            {
              description: TRANSPORT_MESSAGES[c as keyof typeof TRANSPORT_MESSAGES],
              content: { 'application/json': { schema: ref('PotatoError') } },
            },
          ]),
        ),
      },
    },
  };
}

export function openApiDocument(): Schema {
  const t3Forms = ['LoginForm', 'HeartbeatForm', 'QueryForm', 'UnbindForm', 'NoticeForm', 'CheckUpdateForm'];
  const t3Replies = [
    'LoginSuccess',
    'HeartbeatSuccess',
    'QuerySuccess',
    'UnbindSuccess',
    'NoticeSuccess',
    'VersionSuccess',
    'CheckUpdateAvailable',
    'CheckUpdateLatest',
    'T3Error',
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Kami Verify reference server',
      version: '0.1.0',
      description:
        "Card-key (卡密) licensing: the T3 login family (one opaque 调用码 per app endpoint) and the potatocloud card API under /api/. Business errors are HTTP 200 with the protocol's own body; 4xx is for transport problems only.",
    },
    tags: [
      { name: 't3', description: 'T3 网络验证 login family.' },
      { name: 'potatocloud', description: '土豆API card management.' },
      { name: 'operations', description: 'Health and documentation.' },
    ],
    paths: {
      '/{callCode}': {
        post: {
          tags: ['t3'],
          summary: 'T3 endpoint addressed by its 调用码',
          description: [
            'Each app endpoint (login, heartbeat, query, unbind, notice, version, check_update) has its own 16-hex 调用码; the code decides which form applies.',
            "Checks in order: 程序未开启, 接口未开启, timestamp (时间戳参数不可为空 / 验证数据已失效,请重试), signature (签名参数不可为空 / 签名有误), then the endpoint's own.",
            'Value encoding per app: plain, base64 (custom alphabet, values as uppercase hex; reply is alphabet base64 text) or RSA (PKCS#1 v1.5 with the app public key, uppercase hex; reply is base64 of private-key blocks). Encoded replies are text/plain.',
            'check_update answers code 201 已是最新版本 when ver equals the latest version.',
          ].join('\n\n'),
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
            content: { 'application/x-www-form-urlencoded': { schema: { oneOf: t3Forms.map(ref) } } },
          },
          responses: {
            '200': {
              description: 'Success or business error.',
              content: {
                'application/json': { schema: { oneOf: t3Replies.map(ref) } },
                'text/plain': {
                  schema: { type: 'string', description: 'The same JSON, encoded with the app codec.' },
                },
              },
            },
            ...transportResponses([400, 404, 413, 415, 429]),
          },
        },
      },
      '/api/login': potatoOperation(
        'Reseller login',
        'Returns apiUserToken for the other calls.',
        'PotatoLoginRequest',
        'PotatoLoginEnvelope',
        false,
      ),
      '/api/createCardMy': potatoOperation(
        'Create cards',
        'Needs the app\'s "API 生成卡密" switch.',
        'CreateCardRequest',
        'CreateCardEnvelope',
        true,
      ),
      '/api/getCardMyList': potatoOperation(
        'List cards',
        'Paged, newest first.',
        'CardListRequest',
        'CardListEnvelope',
        true,
      ),
      '/healthz': {
        get: {
          tags: ['operations'],
          summary: 'Liveness',
          responses: {
            '200': {
              description: 'Serving.',
              content: {
                'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } },
              },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          tags: ['operations'],
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1 JSON.' } },
        },
      },
      '/docs': {
        get: {
          tags: ['operations'],
          summary: 'Interactive reference',
          responses: { '200': { description: 'HTML page.' } },
        },
      },
    },
    components: { schemas: { ...t3Schemas(), ...potatoSchemas() } },
  };
}
