/**
 * The documented server messages and the stable machine codes they map to.
 *
 * The Chinese text is part of the wire contract: the reference server emits exactly these
 * strings and the SDK recognises them. Keep both directions in this one table.
 */
export const T3_MESSAGES = {
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
  // Heartbeat errors: from the services' public docs (the † rows of docs/protocol.md), not the seed's tables.
  STATECODE_REQUIRED: '状态码不可为空',
  STATECODE_NOT_FOUND: '状态码不存在',
  // Undocumented; chosen by this project for the other endpoints of the family.
  UNBIND_LIMIT_REACHED: '解绑次数已达上限',
  CARD_NOT_BOUND: '卡密未绑定设备',
  VERSION_REQUIRED: '版本号不可为空',
  RATE_LIMITED: '请求过于频繁,请稍后再试',
  BAD_REQUEST: '请求参数有误',
  ENDPOINT_NOT_FOUND: '接口不存在',
  // 账号模式 (user accounts): undocumented by the services; chosen by this project.
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
  // T3 card/app endpoints beyond login (kami_recharge, variables, cloud_doc, app_sign): chosen by this project.
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

// The reverse maps are built on first use, not at import: a module-level `new Map(...)` is a
// call bundlers must keep, which would pin both tables into every bundle (even one that never
// sees a potatocloud reply).
let t3ByText: Map<string, T3MessageCode> | undefined;
let potatoByText: Map<string, PotatoMessageCode> | undefined;

function reverse<C extends string>(table: Record<C, string>): Map<string, C> {
  return new Map(Object.entries(table).map(([code, text]) => [text as string, code as C]));
}

/** Machine code for a T3 error message, or `undefined` when the text is not one we know. */
export function t3CodeForMessage(message: string): T3MessageCode | undefined {
  t3ByText ??= reverse(T3_MESSAGES);
  return t3ByText.get(message.trim());
}

export function potatoCodeForMessage(message: string): PotatoMessageCode | undefined {
  potatoByText ??= reverse(POTATO_MESSAGES);
  return potatoByText.get(message.trim());
}
