import type { ClientCodec } from '../codecs/types';
import { KamiResponseError, KamiValidationError } from '../errors';
import { T3_SUCCESS_MESSAGES, t3CodeForMessage } from '../messages';
import { isT3Success, throwT3Error } from '../t3/response';
import { type AccountClient, buildAccountClient } from './account-client';
import type { CallOptions, VerifyOptions } from './options';
import type {
  AppSignResult,
  CheckUpdateResult,
  CloudDocResult,
  CoreResult,
  CountResult,
  MessageResult,
  QueryResult,
  VersionResult,
} from './results';
import {
  buildSessionClient,
  injectedCodec,
  numberField,
  type SessionClient,
  type SessionClientOptions,
  type SessionParts,
  textField,
} from './session-client';
import { requireNonEmptyString, validateImei } from './validate';

/** The T3 family only (login, heartbeat, ...): what an app embedding a card check needs. */
export interface T3Client extends SessionClient, AccountClient {
  query(kami: string, call?: CallOptions): Promise<QueryResult>;
  unbind(kami: string, imei: string, call?: CallOptions): Promise<MessageResult>;
  notice(call?: CallOptions): Promise<MessageResult>;
  version(call?: CallOptions): Promise<VersionResult>;
  checkUpdate(currentVersion: string, call?: CallOptions): Promise<CheckUpdateResult>;
  /** 以卡充卡: the source card's term goes onto the (activated) target; the source is used up. */
  kamiRecharge(targetKami: string, sourceKami: string, call?: CallOptions): Promise<MessageResult>;
  /** Clears the card's bound IP. */
  ipUnbind(kami: string, call?: CallOptions): Promise<MessageResult>;
  /** Disables the card (its sessions end). */
  disable(kami: string, call?: CallOptions): Promise<MessageResult>;
  getKamiCore(kami: string, call?: CallOptions): Promise<CoreResult>;
  modifyCore(kami: string, core: string, call?: CallOptions): Promise<MessageResult>;
  /** 统一心跳: renews any session by its statecode alone. */
  heartbeatAny(statecode: string, call?: CallOptions): Promise<MessageResult>;
  /** Live card sessions of the app. */
  onlineKami(call?: CallOptions): Promise<CountResult>;
  /** Whether `autograph` is one of the app's configured signatures (else 应用签名不一致). */
  appSign(autograph: string, call?: CallOptions): Promise<AppSignResult>;
  /** 云变量: the value of variable `valueid` (`valuename`, when not empty, must be its name). */
  getVariable(
    kami: string,
    valueid: string,
    valuename?: string,
    call?: CallOptions,
  ): Promise<{ value: string; raw: Record<string, unknown> }>;
  /** Writes a client-writable variable. */
  modifyVariable(
    kami: string,
    valueid: string,
    valuecontent: string,
    call?: CallOptions,
  ): Promise<MessageResult>;
  /** 云文档: the app's document, for the `token` of a live card or account login (else token无效). */
  cloudDoc(token: string, call?: CallOptions): Promise<CloudDocResult>;
}

/**
 * Options of {@link createT3Client}: those of `createVerify` without `potato`, and with the
 * value codec passed as an object instead of `encoding` (the same as `createSessionClient`'s).
 */
export interface T3ClientOptions extends SessionClientOptions {}

/** What `createVerify` shares with the T3 client it wraps. Internal: not exported from the package. */
export interface T3ClientParts extends Omit<SessionParts, 'client'> {
  client: T3Client;
}

/** The session client (login, heartbeat) plus the rest of the T3 family, on the same sender. */
export function buildT3Client(
  options: Omit<VerifyOptions, 'encoding' | 'potato'>,
  resolveCodec: () => ClientCodec,
): T3ClientParts {
  const session = buildSessionClient(options, resolveCodec, t3CodeForMessage);
  const { send, sendOk, successCode } = session;

  const client: T3Client = {
    ...session.client,
    ...buildAccountClient(session, options),

    async query(kami, call) {
      requireNonEmptyString('kami', kami);
      const { body } = await sendOk({ endpoint: 'query', params: [['kami', kami]], idempotent: true, call });
      return {
        id: body.id as string | number | undefined,
        state: body.state,
        use: body.use,
        useTime: body.use_time,
        endTime: body.end_time === undefined ? undefined : textField(body.end_time),
        amount: body.amount === undefined ? undefined : textField(body.amount),
        available: body.available === undefined ? undefined : numberField(body.available),
        line: body.line === undefined ? undefined : numberField(body.line),
        lineTime: body.line_time === undefined ? undefined : textField(body.line_time),
        raw: body,
      };
    },

    async unbind(kami, imei, call) {
      requireNonEmptyString('kami', kami);
      validateImei(imei);
      const { body } = await sendOk({
        endpoint: 'unbind',
        params: [
          ['kami', kami],
          ['imei', imei],
        ],
        idempotent: false,
        call,
      });
      return { msg: textField(body.msg), raw: body };
    },

    async notice(call) {
      const { body } = await sendOk({ endpoint: 'notice', params: [], idempotent: true, call });
      return { msg: textField(body.msg), raw: body };
    },

    async version(call) {
      const { body } = await sendOk({ endpoint: 'version', params: [], idempotent: true, call });
      // msg is the version number (t3sdk reads it); ver the display name.
      const version = body.msg ?? body.version ?? body.ver;
      if (version === undefined)
        throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: msg');
      return {
        version: textField(version),
        name: body.ver === undefined ? undefined : textField(body.ver),
        raw: body,
      };
    },

    async checkUpdate(currentVersion, call) {
      requireNonEmptyString('currentVersion', currentVersion);
      const result = await send({
        endpoint: 'checkUpdate',
        params: [['ver', currentVersion]],
        idempotent: true,
        call,
      });
      const { body } = result;
      // 201 means "already latest", but servers also use 201 for errors: a known error
      // message wins over the code.
      if (String(body.code) === '201' && t3CodeForMessage(textField(body.msg)) === undefined) {
        return { latest: true, msg: textField(body.msg ?? T3_SUCCESS_MESSAGES.ALREADY_LATEST), raw: body };
      }
      if (!isT3Success(body.code, successCode)) throwT3Error(body, result.response, t3CodeForMessage);
      return {
        latest: false,
        version: textField(body.version ?? body.ver),
        uplog: textField(body.uplog),
        upurl: textField(body.upurl),
        raw: body,
      };
    },

    async kamiRecharge(targetKami, sourceKami, call) {
      requireNonEmptyString('targetKami', targetKami);
      requireNonEmptyString('sourceKami', sourceKami);
      const { body } = await sendOk({
        endpoint: 'kamiRecharge',
        params: [
          ['target_kami', targetKami],
          ['source_kami', sourceKami],
        ],
        idempotent: false,
        call,
      });
      return { msg: textField(body.msg), raw: body };
    },

    async ipUnbind(kami, call) {
      requireNonEmptyString('kami', kami);
      const { body } = await sendOk({
        endpoint: 'ipUnbind',
        params: [['kami', kami]],
        idempotent: true,
        call,
      });
      return { msg: textField(body.msg), raw: body };
    },

    async disable(kami, call) {
      requireNonEmptyString('kami', kami);
      const { body } = await sendOk({
        endpoint: 'disable',
        params: [['kami', kami]],
        idempotent: true,
        call,
      });
      return { msg: textField(body.msg), raw: body };
    },

    async getKamiCore(kami, call) {
      requireNonEmptyString('kami', kami);
      const { body } = await sendOk({
        endpoint: 'getKamiCore',
        params: [['kami', kami]],
        idempotent: true,
        call,
      });
      return { core: textField(body.msg ?? ''), raw: body };
    },

    async modifyCore(kami, core, call) {
      requireNonEmptyString('kami', kami);
      if (typeof core !== 'string') throw new KamiValidationError('core', 'core must be a string');
      const { body } = await sendOk({
        endpoint: 'modifyCore',
        params: [
          ['kami', kami],
          ['core', core],
        ],
        idempotent: true,
        call,
      });
      return { msg: textField(body.msg), raw: body };
    },

    async heartbeatAny(statecode, call) {
      requireNonEmptyString('statecode', statecode);
      const { body } = await sendOk({
        endpoint: 'heartbeatAny',
        params: [['statecode', statecode]],
        idempotent: true,
        call,
      });
      return { msg: textField(body.msg), raw: body };
    },

    async onlineKami(call) {
      const { body } = await sendOk({ endpoint: 'onlineKami', params: [], idempotent: true, call });
      const count = Number(textField(body.msg ?? '0'));
      if (!Number.isInteger(count))
        throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: msg');
      return { count, raw: body };
    },

    async appSign(autograph, call) {
      requireNonEmptyString('autograph', autograph);
      const { body } = await sendOk({
        endpoint: 'appSign',
        params: [['autograph', autograph]],
        idempotent: true,
        call,
      });
      return {
        msg: textField(body.msg),
        autograph: textField(body.autograph ?? ''),
        time: body.time === undefined ? undefined : numberField(body.time),
        raw: body,
      };
    },

    async getVariable(kami, valueid, valuename = '', call) {
      requireNonEmptyString('kami', kami);
      const { body } = await sendOk({
        endpoint: 'getVariable',
        params: [
          ['kami', kami],
          ['valueid', valueid],
          ['valuename', valuename],
        ],
        idempotent: true,
        call,
      });
      return { value: textField(body.msg ?? ''), raw: body };
    },

    async modifyVariable(kami, valueid, valuecontent, call) {
      requireNonEmptyString('kami', kami);
      requireNonEmptyString('valueid', valueid);
      if (typeof valuecontent !== 'string')
        throw new KamiValidationError('valuecontent', 'valuecontent must be a string');
      const { body } = await sendOk({
        endpoint: 'modifyVariable',
        params: [
          ['kami', kami],
          ['valueid', valueid],
          ['valuecontent', valuecontent],
        ],
        idempotent: true,
        call,
      });
      return { msg: textField(body.msg), raw: body };
    },

    async cloudDoc(token, call) {
      requireNonEmptyString('token', token);
      const { body } = await sendOk({
        endpoint: 'cloudDoc',
        params: [['token', token]],
        idempotent: true,
        call,
      });
      return { content: textField(body.msg ?? ''), raw: body };
    },
  };
  return { ...session, client };
}

/**
 * A client for the T3 family only, with the codec injected: `createSessionClient` plus query,
 * unbind, notice, version and checkUpdate. Same behaviour as `createVerify`'s T3 methods.
 */
export function createT3Client(options: T3ClientOptions): T3Client {
  return buildT3Client(options, () => injectedCodec(options)).client;
}
