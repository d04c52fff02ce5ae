// The documented server messages and the stable machine codes they map to. The Chinese text is
// part of the wire contract: the reference server emits exactly these strings and the SDK
// recognises them; spec/vectors/messages.json is the source, test/errors.test.ts compares.

/**
 * The error messages `login` and `heartbeat` can answer: spec/catalogue/t3.json's `common.errors`
 * and the two endpoints' own. The lean session client recognises only these, so a page that
 * bundles it does not carry every other endpoint's texts.
 */
export const T3_SESSION_MESSAGES = {
  CARD_REQUIRED: '卡密不可为空',
  DEVICE_REQUIRED: '机器码不可为空',
  DEVICE_INVALID: "机器码不合法,因为存在'号",
  CARD_NOT_FOUND: '卡密不存在',
  CARD_DISABLED: '卡密被禁用',
  CARD_EXPIRED: '卡密已到期',
  CARD_USES_EXHAUSTED: '卡密使用次数已达上限',
  CARD_LOGIN_FORBIDDEN: '卡密禁止登录',
  DEVICE_MISMATCH: '请在原设备登录',
  IP_MISMATCH: '请在原IP登录',
  PROVINCE_MISMATCH: '请在原省内登录',
  CITY_MISMATCH: '请在市内登录',
  APP_DISABLED: '程序未开启',
  ENDPOINT_DISABLED: '接口未开启',
  TIMESTAMP_REQUIRED: '时间戳参数不可为空',
  TIMESTAMP_INVALID: '验证数据已失效,请重试',
  SIGNATURE_REQUIRED: '签名参数不可为空',
  SIGNATURE_INVALID: '签名有误',
  STATECODE_REQUIRED: '状态码不可为空',
  STATECODE_NOT_FOUND: '状态码不存在',
  RATE_LIMITED: '请求过于频繁,请稍后再试',
  BAD_REQUEST: '请求参数有误',
  ENDPOINT_NOT_FOUND: '接口不存在',
} as const;

/** The other T3 endpoints' error messages (card, app and account calls). Only in {@link T3_MESSAGES}. */
const T3_ENDPOINT_MESSAGES = {
  UNBIND_LIMIT_REACHED: '解绑次数已达上限',
  CARD_NOT_BOUND: '卡密未绑定设备',
  VERSION_REQUIRED: '版本号不可为空',
  USER_REQUIRED: '账号不可为空',
  PASSWORD_REQUIRED: '密码不可为空',
  NEW_PASSWORD_REQUIRED: '新密码不可为空',
  USER_INVALID: '账号格式有误,需为3-32位字母、数字或_@.-',
  PASSWORD_INVALID: '密码长度需为6-64位',
  EMAIL_INVALID: '邮箱格式有误',
  USER_EXISTS: '账号已存在',
  USER_NOT_FOUND: '账号不存在',
  USER_LOGIN_FAILED: '账号或密码错误',
  USER_DISABLED: '账号被禁用',
  USER_EXPIRED: '账号已到期',
  USER_NOT_RECHARGED: '账号未充值',
  USER_USES_EXHAUSTED: '账号使用次数已达上限',
  CARD_ALREADY_USED: '卡密已被使用',
  USER_NOT_BOUND: '账号未绑定设备',
  USER_IP_NOT_BOUND: '账号未绑定IP',
  SOURCE_CARD_REQUIRED: '充值卡密不可为空',
  SOURCE_CARD_NOT_FOUND: '充值卡密不存在',
  SOURCE_CARD_DISABLED: '充值卡密被禁用',
  SOURCE_CARD_USED: '充值卡密已被使用',
  TARGET_CARD_NOT_ACTIVATED: '被充卡密未激活',
  CARD_KIND_MISMATCH: '卡密类型不一致,无法充值',
  IP_NOT_BOUND: '卡密未绑定IP',
  VARIABLE_REQUIRED: '变量ID不可为空',
  VARIABLE_NOT_FOUND: '变量不存在',
  VARIABLE_READ_ONLY: '变量不可修改',
  DATA_TOO_LONG: '数据长度超出限制',
  TOKEN_REQUIRED: 'token不可为空',
  TOKEN_INVALID: 'token无效',
  AUTOGRAPH_REQUIRED: '应用签名不可为空',
  APP_SIGN_MISMATCH: '应用签名不一致',
} as const;

/**
 * Every T3 error message. Login's are the seed's documented texts, heartbeat's come from the
 * services' public docs (docs/protocol.md); the other endpoints' are undocumented by the services
 * and chosen by this project (spec/vectors/messages.json names the origin of each).
 */
// Pure, so a bundle that never looks past the session messages drops the rest.
export const T3_MESSAGES: typeof T3_SESSION_MESSAGES & typeof T3_ENDPOINT_MESSAGES =
  /* @__PURE__ */ Object.assign({}, T3_SESSION_MESSAGES, T3_ENDPOINT_MESSAGES);

/** Success messages the T3 family sends in `msg`. */
export const T3_SUCCESS_MESSAGES = {
  HEARTBEAT_ONLINE: '在线',
  UNBIND_OK: '解绑成功',
  ALREADY_LATEST: '已是最新版',
  IP_UNBIND_OK: 'IP解绑成功',
  DISABLE_OK: '禁用成功',
  RECHARGE_OK: '充值成功',
  MODIFY_OK: '修改成功',
  APP_SIGN_OK: '签名一致',
  REGISTER_OK: '注册成功',
  PASSWORD_CHANGED: '密码修改成功',
  USER_CANCELLED: '注销成功',
} as const;

/** potatocloud messages. Only the codes (200/203/403/500) are documented; the texts are ours. */
export const POTATO_MESSAGES = {
  ASK_KEY_INVALID: 'askKey无效',
  USER_TOKEN_INVALID: '用户令牌无效或登录已超时',
  LOGIN_FAILED: '账号或密码错误',
  PERMISSION_DENIED: '未开启API生成卡密',
  SIGNATURE_REQUIRED: '签名参数不可为空',
  SIGNATURE_INVALID: '签名有误',
  TIMESTAMP_INVALID: '时间戳已失效',
  INVALID_TYPE: '卡密类型有误',
  INVALID_TOTAL: '生成条数有误,单次最多10条',
  BAD_REQUEST: '请求参数有误',
  RATE_LIMITED: '请求过于频繁,请稍后再试',
  NO_DATA: '暂无数据',
} as const;

export const POTATO_CODES = { OK: 200, NO_DATA: 203, FORBIDDEN: 403, ERROR: 500 } as const;

export type T3MessageCode = keyof typeof T3_MESSAGES;
export type PotatoMessageCode = keyof typeof POTATO_MESSAGES;

export type T3SessionMessageCode = keyof typeof T3_SESSION_MESSAGES;

// The reverse maps are built on first use, not at import: a module-level `new Map(...)` is a
// call bundlers must keep, which would pin every table into every bundle (even one that never
// sees a potatocloud reply).
const byText = new WeakMap<object, Map<string, string>>();

function lookup<C extends string>(table: Record<C, string>, message: string): C | undefined {
  let reverse = byText.get(table);
  if (!reverse) {
    reverse = new Map(Object.entries<string>(table).map(([code, text]) => [text, code]));
    byText.set(table, reverse);
  }
  return reverse.get(message.trim()) as C | undefined;
}

/** Machine code for a T3 error message, or `undefined` when the text is not one we know. */
export function t3CodeForMessage(message: string): T3MessageCode | undefined {
  return lookup(T3_MESSAGES, message);
}

/** {@link t3CodeForMessage} over {@link T3_SESSION_MESSAGES} only: what login and heartbeat answer. */
export function t3SessionCodeForMessage(message: string): T3SessionMessageCode | undefined {
  return lookup(T3_SESSION_MESSAGES, message);
}

export function potatoCodeForMessage(message: string): PotatoMessageCode | undefined {
  return lookup(POTATO_MESSAGES, message);
}
