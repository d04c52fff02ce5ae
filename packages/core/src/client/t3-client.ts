import { bytesToHex, randomBytes } from '../bytes';
import { plainCodec } from '../codecs/plain';
import type { ClientCodec } from '../codecs/types';
import { KamiResponseError, KamiValidationError } from '../errors';
import { T3_SUCCESS_MESSAGES, t3CodeForMessage } from '../messages';
import type { HttpResponse } from '../net/transport';
import { decodeT3Body, isT3Success, requireFields, type T3Body, throwT3Error } from '../t3/response';
import { encodeForm, type FormFields, signT3Request } from '../t3/sign';
import { unixSeconds } from '../t3/time';
import { checkClockSkew, verifyLoginToken } from '../t3/token';
import { HostRotation } from './failover';
import { type CallOptions, DEFAULTS, type T3Endpoint, type VerifyOptions } from './options';
import type {
  CheckUpdateResult,
  HeartbeatResult,
  LoginResult,
  MessageResult,
  QueryResult,
  VersionResult,
} from './results';
import { requireNonEmptyString, routePath, validateBaseUrls, validateImei } from './validate';

/** The T3 family only (login, heartbeat, ...): what an app embedding a card check needs. */
export interface T3Client {
  /** Card login. Verifies token, statecode, clock skew and the safe_code echo before returning. */
  login(kami: string, imei: string, call?: CallOptions): Promise<LoginResult>;
  /** Keeps a session alive; send the statecode of the login. */
  heartbeat(statecode: string, call?: CallOptions & { kami?: string }): Promise<HeartbeatResult>;
  query(kami: string, call?: CallOptions): Promise<QueryResult>;
  unbind(kami: string, imei: string, call?: CallOptions): Promise<MessageResult>;
  notice(call?: CallOptions): Promise<MessageResult>;
  version(call?: CallOptions): Promise<VersionResult>;
  checkUpdate(currentVersion: string, call?: CallOptions): Promise<CheckUpdateResult>;
}

/**
 * Options of {@link createT3Client}: those of `createVerify` without `potato`, and with the
 * value codec passed as an object instead of `encoding`. Passing the codec (`plainCodec`,
 * `createAlphabetCodec(alphabet)`, `createRsaClientCodec(publicKey)`) lets bundlers drop the
 * codecs an app does not use — the RSA one is most of core's size.
 */
export interface T3ClientOptions extends Omit<VerifyOptions, 'encoding' | 'potato'> {
  /** Value codec of the app. Default `plainCodec`. */
  codec?: ClientCodec;
}

interface T3Call {
  endpoint: T3Endpoint;
  params: FormFields;
  idempotent: boolean;
  call: CallOptions | undefined;
}

/** What `createVerify` shares with the T3 client it wraps. Internal: not exported from the package. */
export interface T3ClientParts {
  client: T3Client;
  rotation: HostRotation;
  now: () => number;
  timeoutMs: number;
  maxRetries: number;
}

/** Validates the shared options (codec last, as `createVerify` always did) and builds the T3 half. */
export function buildT3Client(
  options: Omit<VerifyOptions, 'encoding' | 'potato'>,
  resolveCodec: () => ClientCodec,
): T3ClientParts {
  const hosts = validateBaseUrls(options.baseUrl);
  requireNonEmptyString('appKey', options.appKey);
  if (typeof options.md5 !== 'function') throw new KamiValidationError('md5', 'md5 must be a function');
  if (typeof options.transport !== 'function') throw new KamiValidationError('transport', 'transport must be a function');
  const codec = resolveCodec();
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  const successCode = options.successCode ?? DEFAULTS.successCode;
  const maxSkew = options.maxClockSkewSeconds ?? DEFAULTS.maxClockSkewSeconds;
  const createSafeCode = options.createSafeCode ?? (() => bytesToHex(randomBytes(8)));
  const rotation = new HostRotation(hosts, options.transport);

  async function send(req: T3Call): Promise<{ body: T3Body; response: HttpResponse; signText: string }> {
    const route = options.routes[req.endpoint];
    if (!route) throw new KamiValidationError(`routes.${req.endpoint}`, `no route code configured for ${req.endpoint}`);
    const signed = signT3Request({
      params: req.params,
      appKey: options.appKey,
      md5: options.md5,
      codec,
      timestamp: unixSeconds(now()),
    });
    const body = encodeForm(signed.fields);
    const signal = req.call?.signal ?? options.signal;
    const response = await rotation.send(
      (host) => ({
        method: 'POST',
        url: host + routePath(route),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        timeoutMs: req.call?.timeoutMs ?? timeoutMs,
        signal,
      }),
      { idempotent: req.idempotent, maxRetries, signal },
    );
    return { body: decodeT3Body(response, codec), response, signText: signed.signText };
  }

  async function sendOk(req: T3Call) {
    const result = await send(req);
    if (!isT3Success(result.body.code, successCode)) throwT3Error(result.body, result.response);
    return result;
  }

  const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

  const client: T3Client = {
    async login(kami, imei, call) {
      requireNonEmptyString('kami', kami);
      validateImei(imei);
      const safeCode = createSafeCode();
      const { body, signText } = await sendOk({
        endpoint: 'login',
        params: [
          ['kami', kami],
          ['imei', imei],
          ['safe_code', safeCode],
        ],
        idempotent: false,
        call,
      });
      const f = requireFields(body, ['id', 'end_time', 'token', 'statecode', 'time', 'date']);
      checkClockSkew(f.time as number, unixSeconds(now()), maxSkew);
      if (options.verifyToken !== false) {
        verifyLoginToken(
          options.md5,
          {
            id: f.id as string | number,
            end_time: str(f.end_time),
            token: str(f.token),
            statecode: str(f.statecode),
            time: f.time as number,
            date: str(f.date),
            safe_code: body.safe_code === undefined ? undefined : str(body.safe_code),
          },
          {
            appKey: options.appKey,
            signText,
            variant: options.verifyToken ?? 'auto',
            nowSeconds: unixSeconds(now()),
            maxClockSkewSeconds: Number.POSITIVE_INFINITY, // checked above, independent of verifyToken
            safeCode,
          },
        );
      }
      return {
        id: f.id as string | number,
        endTime: str(f.end_time),
        amount: str(body.amount),
        available: num(body.available),
        token: str(f.token),
        statecode: str(f.statecode),
        safeCode: body.safe_code === undefined ? undefined : str(body.safe_code),
        time: num(f.time),
        date: str(f.date),
        imei: str(body.imei),
        change: num(body.change ?? 0),
        core: str(body.core),
        ...(body.recharge !== undefined ? { recharge: body.recharge } : {}),
        ...(body.use_time !== undefined ? { useTime: body.use_time } : {}),
        signText,
        raw: body,
      };
    },

    async heartbeat(statecode, call) {
      requireNonEmptyString('statecode', statecode);
      const params: Array<[string, string]> = [['statecode', statecode]];
      if (call?.kami) params.push(['kami', call.kami]);
      const { body } = await sendOk({ endpoint: 'heartbeat', params, idempotent: true, call });
      const f = requireFields(body, ['time']);
      checkClockSkew(f.time as number, unixSeconds(now()), maxSkew);
      return { msg: str(body.msg ?? T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE), time: num(f.time), date: str(body.date), raw: body };
    },

    async query(kami, call) {
      requireNonEmptyString('kami', kami);
      const { body } = await sendOk({ endpoint: 'query', params: [['kami', kami]], idempotent: true, call });
      return {
        id: body.id as string | number | undefined,
        state: body.state,
        use: body.use,
        useTime: body.use_time,
        endTime: body.end_time === undefined ? undefined : str(body.end_time),
        amount: body.amount === undefined ? undefined : str(body.amount),
        available: body.available === undefined ? undefined : num(body.available),
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
      return { msg: str(body.msg), raw: body };
    },

    async notice(call) {
      const { body } = await sendOk({ endpoint: 'notice', params: [], idempotent: true, call });
      return { msg: str(body.msg), raw: body };
    },

    async version(call) {
      const { body } = await sendOk({ endpoint: 'version', params: [], idempotent: true, call });
      const version = body.ver ?? body.version ?? body.msg;
      if (version === undefined) throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: ver');
      return { version: str(version), raw: body };
    },

    async checkUpdate(currentVersion, call) {
      requireNonEmptyString('currentVersion', currentVersion);
      const result = await send({ endpoint: 'checkUpdate', params: [['ver', currentVersion]], idempotent: true, call });
      const { body } = result;
      // 201 means "already latest", but servers also use 201 for errors: a known error
      // message wins over the code.
      if (String(body.code) === '201' && t3CodeForMessage(str(body.msg)) === undefined) {
        return { latest: true, msg: str(body.msg ?? T3_SUCCESS_MESSAGES.ALREADY_LATEST), raw: body };
      }
      if (!isT3Success(body.code, successCode)) throwT3Error(body, result.response);
      return {
        latest: false,
        version: str(body.ver ?? body.version),
        uplog: str(body.uplog),
        upurl: str(body.upurl),
        raw: body,
      };
    },
  };
  return { client, rotation, now, timeoutMs, maxRetries };
}

/**
 * A client for the T3 family only, with the codec injected: the smallest bundle for an app that
 * logs in and beats. Same behaviour as `createVerify`'s T3 methods.
 */
export function createT3Client(options: T3ClientOptions): T3Client {
  return buildT3Client(options, () => {
    const codec = options.codec ?? plainCodec;
    if (typeof codec?.encodeValue !== 'function' || typeof codec.decodeResponse !== 'function') {
      throw new KamiValidationError('codec', 'codec must have encodeValue and decodeResponse');
    }
    return codec;
  }).client;
}
