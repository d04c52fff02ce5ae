// What the server sends: T3 reply bodies and potatocloud envelopes, as the OpenAPI components
// describe them. Every shape is closed (no extra keys) and requires its fields, so the branches
// of a reply union are told apart by their keys and constants, and a reply that gains, loses or
// renames a field fails the HTTP suite's reply validation. Messages and card types come from core.
import { CARD_TYPES, POTATO_MESSAGES, T3_MESSAGES, T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { z } from 'zod';

const text = (description: string) => z.string().describe(description);
const integer = (description: string) => z.int().describe(description);

/** `code` in the app's code type: "200" or 200. */
const Code = z
  .union([z.string().regex(/^\d+$/), z.int()])
  .describe('Status code, string ("200") or integer (200) per the app\'s codeType; success value per app.');

const msgOf = (values: Record<string, string>) => z.enum(Object.values(values) as [string, ...string[]]);

export const LoginSuccess = z
  .strictObject({
    code: Code,
    id: z.union([z.int(), z.string()]).describe('单码卡密 ID'),
    end_time: text('到期时间, YYYY-MM-DD HH:mm:ss, Beijing time.'),
    amount: text('Duration text (30天, 永久卡, 3次).'),
    available: integer('Seconds left (count cards: uses left − 1).'),
    token: text(
      'md5(id + APPKEY + end_time + date); two-way: md5(id + APPKEY + signText + end_time + date).',
    ),
    statecode: text('md5(token + time); send it to heartbeat.'),
    safe_code: text('The request\'s safe_code, or "".'),
    time: integer('Server unix seconds.'),
    date: text('Server minute yyyyMMddHHmm, Beijing time.'),
    imei: text('Bound machine code.'),
    change: integer('Unbinds so far.'),
    core: text('Core data, hex.'),
  })
  .describe("login success. Fields in exactly this order (the seed's).");

export const HeartbeatSuccess = z.strictObject({
  code: Code,
  msg: z.literal(T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE),
  time: integer('Server unix seconds.'),
  date: text('yyyyMMddHHmm, Beijing time.'),
});

export const QuerySuccess = z
  .strictObject({
    code: Code,
    id: z.union([z.int(), z.string()]).describe('单码卡密 ID'),
    state: z.enum(['未使用', '已使用', '已禁用', '已到期']).describe('Card state.'),
    use: z.literal([0, 1]).describe('1 once the card was first used.'),
    use_time: text('First use, YYYY-MM-DD HH:mm:ss, or "".'),
    end_time: text('Expiry, or "" for a time card not used yet.'),
    amount: text('Duration text.'),
    available: integer('Seconds (or uses) left.'),
    line: integer('Sessions of the card online now.'),
    line_time: text('When an online session was last seen (login or heartbeat), YYYY-MM-DD HH:mm:ss, or "".'),
  })
  .describe('query success: the card state, without logging in.');

export const UnbindSuccess = z.strictObject({
  code: Code,
  msg: z.literal(T3_SUCCESS_MESSAGES.UNBIND_OK),
  change: integer('Unbinds so far.'),
});

export const NoticeSuccess = z.strictObject({ code: Code, msg: text('The app notice.') });

export const VersionSuccess = z.strictObject({
  code: Code,
  ver: text('Latest version.'),
  msg: text('Latest version.'),
});

export const CheckUpdateAvailable = z.strictObject({
  code: Code,
  ver: text('New version.'),
  version: text('New version.'),
  uplog: text('Change log.'),
  upurl: text('Download URL.'),
});

export const CheckUpdateLatest = z
  .strictObject({
    code: z.union([z.literal('201'), z.literal(201)]).describe('201 in the app code type.'),
    msg: z.literal(T3_SUCCESS_MESSAGES.ALREADY_LATEST),
  })
  .describe('check_update when ver is already the latest version.');

export const T3Error = z
  .strictObject({ code: Code, msg: msgOf(T3_MESSAGES) })
  .describe(
    "Business error, HTTP 200. code is the server's error code (default 201) in the app's code type.",
  );

export const TransportError = z
  .strictObject({ code: integer('HTTP status.'), msg: text('What went wrong.') })
  .describe(
    'Transport-level error (HTTP 4xx/5xx) outside /api/, always plain JSON; code equals the HTTP status.',
  );

export const Healthz = z.strictObject({ status: z.literal('ok') });

// --- potatocloud -------------------------------------------------------------------------------

export const PotatoCard = z.strictObject({
  id: z.string().regex(/^\d+$/).describe('Snowflake id (a string: it exceeds 2^53).'),
  createdDate: integer('ms since the epoch'),
  modifiedDate: integer('ms since the epoch'),
  status: z.literal([0, 1]).describe('0 deleted, 1 in use'),
  ip: text('IP of the creator.'),
  appId: text('App id (string).'),
  cardStr: z
    .string()
    .regex(/^[0-9A-Za-z_-]{4,64}$/)
    .describe('The card key (generated ones are 32 uppercase hex).'),
  exportState: integer('Export state.'),
  state: integer('Use state.'),
  type: z
    .int()
    .min(0)
    .max(5)
    .describe(CARD_TYPES.map((t) => `${t.type} ${t.name}`).join(', ')),
});

/** The envelope of a successful call: code "200", status true, empty message. */
function success<T extends z.ZodType>(data: T) {
  return z.strictObject({
    code: z.literal('200'),
    message: z.literal(''),
    status: z.literal(true),
    data,
    pc: z.null(),
    time: z.null(),
    sign: z.null(),
  });
}

/** A failure envelope: status false, data null. */
function failure(codes: [string, ...string[]], messages: z.ZodType, description: string) {
  return z
    .strictObject({
      code: z.enum(codes),
      message: messages,
      status: z.literal(false),
      data: z.null(),
      pc: z.null(),
      time: z.null(),
      sign: z.null(),
    })
    .describe(description);
}

export const PotatoLoginEnvelope = success(
  z.strictObject({
    apiUserToken: text('Send as the apiUserToken header.'),
    expireTime: integer('Token expiry, ms since the epoch.'),
  }),
);

export const CreateCardEnvelope = success(z.array(PotatoCard));

export const CardListEnvelope = success(
  z.strictObject({
    list: z.array(PotatoCard),
    total: integer('Matching cards.'),
    p: integer('Page.'),
    s: integer('Page size.'),
  }),
);

export const PotatoError = failure(
  ['403', '500'],
  msgOf(POTATO_MESSAGES),
  'Business error, HTTP 200: 403 permission / login expired, 500 bad request.',
);

export const PotatoTransportError = failure(
  ['400', '404', '405', '413', '415', '429', '500', '503'],
  text('What went wrong.'),
  'Transport-level error under /api/: still the envelope, with code equal to the HTTP status.',
);
