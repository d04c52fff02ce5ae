// Per-app settings: the one definition behind the AppSettings type, the config file's validation,
// the defaults, the published JSON Schema and the OpenAPI components. A new setting is one entry
// here (with its default and description) plus the rule that reads it.
import { parseRsaPublicKey, validateAlphabet } from '@kami-verify/core';
import { createServerCodec } from '@kami-verify/core/server';
import { z } from 'zod';
import { bool, hexText, int, oneOf, str, strict } from './fields';
import { T3_ROUTE_NAMES, type T3RouteName } from './t3-catalogue';

/** Endpoint names of the T3 family as configured per app (each has its own 调用码): spec/catalogue/t3.json. */
export { T3_ROUTE_NAMES, type T3RouteName } from './t3-catalogue';

/** One schema per T3 endpoint name, keyed like the names (typed, unlike Object.fromEntries). */
export function perRoute<T extends z.ZodType>(make: () => T): { [K in T3RouteName]: T } {
  return Object.fromEntries(T3_ROUTE_NAMES.map((r) => [r, make()])) as { [K in T3RouteName]: T };
}

const plainEncoding = strict({ mode: z.literal('plain') });

const base64Encoding = strict({
  mode: z.literal('base64'),
  alphabet: str().describe('64 distinct characters; values travel as uppercase hex of this base64.'),
}).superRefine((enc, ctx) => {
  try {
    validateAlphabet(enc.alphabet);
  } catch (error) {
    ctx.addIssue({ code: 'custom', path: ['alphabet'], message: (error as Error).message });
  }
});

export const RsaEncodingSchema = strict({
  mode: z.literal('rsa'),
  publicKey: z.string({ error: 'must be a PEM or base64 DER public key' }).describe('PEM or base64 DER.'),
  // Optional in the type, so core's EncodingOptions (a client's view) stays assignable; the
  // refinement below still requires it, since the server decodes with it.
  privateKey: z
    .string({ error: 'the server needs the private key (PEM)' })
    .optional()
    .describe('PEM (required); or use privateKeyFile next to the config file.'),
}).superRefine((enc, ctx) => {
  if (enc.privateKey === undefined) {
    ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'the server needs the private key (PEM)' });
    return;
  }
  // Parsing the keys here means a wrong key fails at start, not on the first request.
  try {
    const pub = parseRsaPublicKey(enc.publicKey);
    createServerCodec(enc);
    if (pub.n.toString(2).length < 512)
      ctx.addIssue({ code: 'custom', path: ['publicKey'], message: 'key is too small' });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `unreadable RSA key: ${(error as Error).message}` });
  }
});

export const EncodingSchema = z
  .discriminatedUnion('mode', [plainEncoding, base64Encoding, RsaEncodingSchema], {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'must be one of "plain", "base64", "rsa"' : 'must be an object',
  })
  .describe('Value encoding of T3 requests and replies.');

export const AppSettingsSchema = strict({
  enabled: bool().default(true).describe('程序未开启 when false.'),
  endpoints: strict(perRoute(() => bool().default(true)))
    .prefault({})
    .describe('接口未开启 for an endpoint set to false.'),
  machineCodeCheck: bool()
    .default(true)
    .describe('机器码不可为空 / 请在原设备登录: login needs imei and binds the card to the first one.'),
  forbidEmptyDevice: bool().default(false).describe('卡密禁止登录 for a card with no bound device.'),
  replayProtection: bool()
    .default(false)
    .describe(
      'Refuse a request whose signature `s` was already seen within the timestamp window (验证数据已失效,请重试); needs signatureCheck and timestampCheck.',
    ),
  timestampCheck: strict({
    enabled: bool().default(true),
    windowSeconds: int(1, 86_400).default(60),
  })
    .prefault({})
    .describe('时间戳参数不可为空 / 验证数据已失效,请重试: `t` required and within the window.'),
  signatureCheck: oneOf(['off', 'on', 'two-way'])
    .default('on')
    .describe("签名参数不可为空 / 签名有误; 'two-way' also puts the sign text into the token."),
  preset: oneOf(['t3-official'])
    .optional()
    .describe(
      "'t3-official': what the hosted service's official clients (t3sdk) need — codeType int, signatures checked, the signed login token, base64 or rsa encoding. It fills codeType; a setting that contradicts it is refused.",
    ),
  // No schema default: the preset's value or 'string' is filled in by the transform below.
  codeType: oneOf(['string', 'int'])
    .optional()
    .describe('`"code": "200"` or `"code": 200` (default "string"; preset t3-official: int).'),
  successCode: int(0, 99_999).default(200).describe('The success value of `code`.'),
  encoding: EncodingSchema.default(() => ({ mode: 'plain' as const })),
  statecodeValiditySeconds: int(1)
    .default(600)
    .describe('登录状态码有效期: a statecode lives this long after login / its last heartbeat.'),
  maxSessionsPerCard: int(1, 1000)
    .default(10)
    .describe(
      'Live sessions (statecodes) one card may hold; a login beyond it ends the oldest (状态码不存在 for it).',
    ),
  ipBinding: oneOf(['off', 'exact', 'ip', 'province', 'city'])
    .default('off')
    .describe(
      "The first login binds the client's address: 'ip' (or its older name 'exact') the IP itself (请在原IP登录), 'province' / 'city' its region from the bundled offline IP database (请在原省内登录 / 请在市内登录).",
    ),
  unbindLimit: int(0).default(3).describe('Most unbinds per card (解绑次数已达上限 beyond).'),
  unbindEndsSessions: bool()
    .default(true)
    .describe("An unbind ends the card's sessions (状态码不存在 then); false lets them run out."),
  apiCardCreation: bool()
    .default(true)
    .describe('The "API 生成卡密" switch for potatocloud /api/createCardMy.'),
  potatoSign: bool()
    .default(false)
    .describe('potatocloud sign check (sign = md5(potatoSignSecret + time)); needs potatoSignSecret.'),
  potatoSignSecret: str({ nonEmpty: true }).optional(),
  potatoSignWindowMs: int(1)
    .default(300_000)
    .describe('Allowed |time − now| for the potato `time` header (ms) when potatoSign is on.'),
  notice: str().default('').describe('The notice endpoint text.'),
  cloudDoc: str()
    .max(65_536, { error: 'must be at most 65536 characters' })
    .default('')
    .describe(
      'The cloud document (云文档): `msg` of cloud_doc, answered to the token of a live card or account login (token无效 otherwise).',
    ),
  version: str().default('1.0.0').describe('The version number: `msg` of the version endpoint.'),
  ver: str()
    .optional()
    .describe('The version display name: `ver` of the version endpoint (default: the version number).'),
  update: strict({
    version: str().default('1.0.0').describe('The latest version number (check_update `version`).'),
    ver: str().optional().describe('Its display name (check_update `ver`; default: the version number).'),
    uplog: str().default(''),
    upurl: str().default(''),
  })
    .prefault({})
    .describe('What check_update answers.'),
  loginToken: oneOf(['auto', 'basic', 'signed'])
    .default('auto')
    .describe(
      "Login token formula: 'auto' puts the sign text in whenever the request's signature was verified (the hosted behaviour), 'basic' never, 'signed' only with signatureCheck 'two-way'.",
    ),
  coreMaxBytes: int(0, 16_384)
    .default(4096)
    .describe('Longest core data (UTF-8 bytes) modify_core accepts (数据长度超出限制 beyond).'),
  variables: z
    .array(
      strict({
        id: str({ nonEmpty: true }).describe('`valueid` of get_variable / modify_variable.'),
        name: str().default('').describe('`valuename`; when a request sends one, it must match.'),
        value: str().default('').describe('The value until a client writes one.'),
        writable: bool().default(false).describe('modify_variable may change it (变量不可修改 otherwise).'),
      }),
    )
    .default([])
    .describe('Cloud variables (云变量) of the app; reading and writing need a valid card.'),
  variableMaxBytes: int(0, 16_384)
    .default(4096)
    .describe('Longest value (UTF-8 bytes) modify_variable accepts (数据长度超出限制 beyond).'),
  appSignatures: z
    .array(str({ nonEmpty: true }))
    .default([])
    .describe('Signatures app_sign accepts (签名一致); empty: every autograph is 应用签名不一致.'),
  core: hexText().default('').describe('Hex core data returned on login.'),
})
  .superRefine(
    (s, ctx) => {
      if (s.potatoSign === true && typeof s.potatoSignSecret !== 'string') {
        ctx.addIssue({
          code: 'custom',
          path: ['potatoSignSecret'],
          message: 'is required when potatoSign is true',
        });
      }
    },
    // Also when another setting failed, so one pass reports every problem.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .superRefine((s, ctx) => {
    if (s.preset !== 't3-official') return;
    const refuse = (path: string, why: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message: `contradicts preset "t3-official": ${why}` });
    if (s.codeType === 'string') refuse('codeType', 'the official clients compare code with the integer 200');
    if (s.signatureCheck === 'off') refuse('signatureCheck', 'the official clients always sign');
    if (s.loginToken === 'basic' || (s.loginToken === 'signed' && s.signatureCheck !== 'two-way'))
      refuse('loginToken', 'the official clients check the signed token formula');
    if (s.encoding.mode === 'plain') refuse('encoding', 'the official clients have no plain mode');
  })
  .transform(({ codeType, ...rest }) => ({
    ...rest,
    codeType: codeType ?? (rest.preset === 't3-official' ? ('int' as const) : ('string' as const)),
  }));

/** Every per-app switch, defaults filled in (what the domain reads). */
export type AppSettings = z.output<typeof AppSettingsSchema>;
/** Settings as a config file or `startServer({ apps })` gives them: every key optional. */
export type AppSettingsInput = z.input<typeof AppSettingsSchema>;
