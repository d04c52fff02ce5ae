// The account family (账号模式) of the T3 client: register, user_login (token and statecode
// verified like a card login's), user_heartbeat, recharge, change_password, user_cancel,
// get_user_core, online_user, and the card calls made with an account (unbind_user …
// modify_variable_by_user). Field names as t3sdk sends them.
import { KamiResponseError, KamiValidationError } from '../errors';
import { T3_SUCCESS_MESSAGES } from '../messages';
import { requireFields } from '../t3/response';
import { unixSeconds } from '../t3/time';
import { checkClockSkew, verifyLoginToken } from '../t3/token';
import { type CallOptions, DEFAULTS, type VerifyOptions } from './options';
import type { CoreResult, CountResult, HeartbeatResult, MessageResult, UserLoginResult } from './results';
import { numberField, type SessionParts, textField } from './session-client';
import { requireNonEmptyString, validateImei } from './validate';

export interface AccountClient {
  /** 用户注册: a new account of the app; `email` is sent only when given. */
  register(user: string, pass: string, email?: string, call?: CallOptions): Promise<MessageResult>;
  /** 用户登录. Verifies token, statecode and clock skew before returning. */
  userLogin(user: string, pass: string, imei: string, call?: CallOptions): Promise<UserLoginResult>;
  /** 用户心跳: keeps an account session alive. */
  userHeartbeat(user: string, pass: string, statecode: string, call?: CallOptions): Promise<HeartbeatResult>;
  /** 用户充值: recharges an unused card into the account. */
  recharge(user: string, card: string, call?: CallOptions): Promise<MessageResult>;
  /** 修改密码: the account's sessions end. */
  changePassword(user: string, oldpass: string, newpass: string, call?: CallOptions): Promise<MessageResult>;
  /** 用户注销: deletes the account. */
  userCancel(user: string, pass: string, call?: CallOptions): Promise<MessageResult>;
  /** 获取用户核心数据. */
  getUserCore(user: string, pass: string, call?: CallOptions): Promise<CoreResult>;
  /** Accounts of the app with a live session. */
  onlineUser(call?: CallOptions): Promise<CountResult>;
  // The card calls made with an account (t3sdk's *_user variants, on the card routes' 调用码).
  /** 用户解绑设备: frees the account's bound device (counted toward the unbind limit). */
  unbindUser(user: string, pass: string, imei: string, call?: CallOptions): Promise<MessageResult>;
  /** 用户IP解绑: frees the account's bound IP or region. */
  ipUnbindUser(user: string, pass: string, call?: CallOptions): Promise<MessageResult>;
  /** 禁用用户: the account disables itself (its sessions end). */
  disableUser(user: string, pass: string, call?: CallOptions): Promise<MessageResult>;
  /** 修改用户核心数据 (read it back with {@link AccountClient.getUserCore}). */
  modifyCoreByUser(user: string, pass: string, core: string, call?: CallOptions): Promise<MessageResult>;
  /** 云变量 by account: the value of variable `valueid` (`valuename`, when not empty, must be its name). */
  getVariableByUser(
    user: string,
    pass: string,
    valueid: string,
    valuename?: string,
    call?: CallOptions,
  ): Promise<{ value: string; raw: Record<string, unknown> }>;
  /** Writes a client-writable variable, by account. */
  modifyVariableByUser(
    user: string,
    pass: string,
    valueid: string,
    valuecontent: string,
    call?: CallOptions,
  ): Promise<MessageResult>;
}

export function buildAccountClient(
  parts: Pick<SessionParts, 'sendOk' | 'now'>,
  options: Omit<VerifyOptions, 'encoding' | 'potato'>,
): AccountClient {
  const { sendOk, now } = parts;
  const maxSkew = options.maxClockSkewSeconds ?? DEFAULTS.maxClockSkewSeconds;
  const nowSeconds = () => unixSeconds(now());
  const message = (body: Record<string, unknown>): MessageResult => ({ msg: textField(body.msg), raw: body });
  /** `user` and `pass`, checked, first in every account call's fields. */
  const credentials = (user: string, pass: string): Array<[string, string]> => {
    requireNonEmptyString('user', user);
    requireNonEmptyString('pass', pass);
    return [
      ['user', user],
      ['pass', pass],
    ];
  };

  return {
    async register(user, pass, email, call) {
      requireNonEmptyString('user', user);
      requireNonEmptyString('pass', pass);
      const params: Array<[string, string]> = [
        ['user', user],
        ['pass', pass],
      ];
      if (email) params.push(['email', email]);
      return message((await sendOk({ endpoint: 'register', params, idempotent: false, call })).body);
    },

    async userLogin(user, pass, imei, call) {
      requireNonEmptyString('user', user);
      requireNonEmptyString('pass', pass);
      validateImei(imei);
      const { body, signText } = await sendOk({
        endpoint: 'userLogin',
        params: [
          ['user', user],
          ['pass', pass],
          ['imei', imei],
        ],
        idempotent: false,
        call,
      });
      const f = requireFields(body, ['id', 'end_time', 'token', 'statecode', 'time', 'date']);
      checkClockSkew(f.time as number, nowSeconds(), maxSkew);
      if (options.verifyToken !== false)
        verifyLoginToken(
          options.md5,
          {
            id: f.id as string | number,
            end_time: f.end_time as string,
            token: f.token as string,
            statecode: f.statecode as string,
            time: f.time as string | number,
            date: f.date as string,
          },
          {
            appKey: options.appKey,
            signText,
            variant: options.verifyToken ?? 'auto',
            nowSeconds: nowSeconds(),
            maxClockSkewSeconds: Number.POSITIVE_INFINITY, // checked above
          },
        );
      return {
        id: f.id as string | number,
        endTime: textField(f.end_time),
        token: textField(f.token),
        statecode: textField(f.statecode),
        time: numberField(f.time),
        date: textField(f.date),
        recharge: numberField(body.recharge ?? 0),
        useTime: textField(body.use_time),
        available: numberField(body.available),
        imei: textField(body.imei),
        change: numberField(body.change ?? 0),
        core: textField(body.core),
        signText,
        raw: body,
      };
    },

    async userHeartbeat(user, pass, statecode, call) {
      requireNonEmptyString('user', user);
      requireNonEmptyString('statecode', statecode);
      const { body } = await sendOk({
        endpoint: 'userHeartbeat',
        params: [
          ['user', user],
          ['pass', pass],
          ['statecode', statecode],
        ],
        idempotent: true,
        call,
      });
      const f = requireFields(body, ['time']);
      checkClockSkew(f.time as number, nowSeconds(), maxSkew);
      return {
        msg: textField(body.msg ?? T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE),
        time: numberField(f.time),
        date: textField(body.date),
        raw: body,
      };
    },

    async recharge(user, card, call) {
      requireNonEmptyString('user', user);
      requireNonEmptyString('card', card);
      const params: Array<[string, string]> = [
        ['user', user],
        ['card', card],
      ];
      // Not retried: a lost reply of a consumed card would be answered 卡密已被使用.
      return message((await sendOk({ endpoint: 'recharge', params, idempotent: false, call })).body);
    },

    async changePassword(user, oldpass, newpass, call) {
      requireNonEmptyString('user', user);
      requireNonEmptyString('oldpass', oldpass);
      requireNonEmptyString('newpass', newpass);
      const params: Array<[string, string]> = [
        ['user', user],
        ['oldpass', oldpass],
        ['newpass', newpass],
      ];
      return message((await sendOk({ endpoint: 'changePassword', params, idempotent: false, call })).body);
    },

    async userCancel(user, pass, call) {
      requireNonEmptyString('user', user);
      requireNonEmptyString('pass', pass);
      const params: Array<[string, string]> = [
        ['user', user],
        ['pass', pass],
      ];
      return message((await sendOk({ endpoint: 'userCancel', params, idempotent: false, call })).body);
    },

    async getUserCore(user, pass, call) {
      requireNonEmptyString('user', user);
      requireNonEmptyString('pass', pass);
      const { body } = await sendOk({
        endpoint: 'getUserCore',
        params: [
          ['user', user],
          ['pass', pass],
        ],
        idempotent: true,
        call,
      });
      return { core: textField(body.msg ?? ''), raw: body };
    },

    async onlineUser(call) {
      const { body } = await sendOk({ endpoint: 'onlineUser', params: [], idempotent: true, call });
      const count = Number(textField(body.msg ?? '0'));
      if (!Number.isInteger(count))
        throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: msg');
      return { count, raw: body };
    },

    async unbindUser(user, pass, imei, call) {
      validateImei(imei);
      const params = [...credentials(user, pass), ['imei', imei] as [string, string]];
      return message((await sendOk({ endpoint: 'unbind', params, idempotent: false, call })).body);
    },

    async ipUnbindUser(user, pass, call) {
      const params = credentials(user, pass);
      return message((await sendOk({ endpoint: 'ipUnbind', params, idempotent: true, call })).body);
    },

    async disableUser(user, pass, call) {
      const params = credentials(user, pass);
      return message((await sendOk({ endpoint: 'disable', params, idempotent: true, call })).body);
    },

    async modifyCoreByUser(user, pass, core, call) {
      if (typeof core !== 'string') throw new KamiValidationError('core', 'core must be a string');
      const params = [...credentials(user, pass), ['core', core] as [string, string]];
      return message((await sendOk({ endpoint: 'modifyCore', params, idempotent: true, call })).body);
    },

    async getVariableByUser(user, pass, valueid, valuename = '', call) {
      const params: Array<[string, string]> = [
        ...credentials(user, pass),
        ['valueid', valueid],
        ['valuename', valuename],
      ];
      const { body } = await sendOk({ endpoint: 'getVariable', params, idempotent: true, call });
      return { value: textField(body.msg ?? ''), raw: body };
    },

    async modifyVariableByUser(user, pass, valueid, valuecontent, call) {
      requireNonEmptyString('valueid', valueid);
      if (typeof valuecontent !== 'string')
        throw new KamiValidationError('valuecontent', 'valuecontent must be a string');
      const params: Array<[string, string]> = [
        ...credentials(user, pass),
        ['valueid', valueid],
        ['valuecontent', valuecontent],
      ];
      return message((await sendOk({ endpoint: 'modifyVariable', params, idempotent: true, call })).body);
    },
  };
}

// Keeps the validation error type referenced for callers that catch it from these methods.
export type { KamiValidationError };
