import { bytesToHex, randomBytes } from '../bytes';
import { plainCodec } from '../codecs/plain';
import type { ClientCodec } from '../codecs/types';
import { KamiValidationError } from '../errors';
import { T3_SUCCESS_MESSAGES, type T3MessageCode, t3SessionCodeForMessage } from '../messages';
import type { HttpResponse } from '../net/transport';
import { decodeT3Body, isT3Success, requireFields, type T3Body, throwT3Error } from '../t3/response';
import { encodeForm, type FormFields, signT3Request } from '../t3/sign';
import { unixSeconds } from '../t3/time';
import { checkClockSkew, type LoginProof, verifyLoginToken } from '../t3/token';
import { HostRotation } from './failover';
import { type CallOptions, DEFAULTS, type T3Endpoint, type VerifyOptions } from './options';
import type { HeartbeatResult, LoginResult } from './results';
import { requireNonEmptyString, routePath, validateBaseUrls, validateImei } from './validate';

/** Log in and keep the session alive: all a page that gates content on a card needs. */
export interface SessionClient {
  /** Card login. Verifies token, statecode, clock skew and the safe_code echo before returning. */
  login(kami: string, imei: string, call?: CallOptions): Promise<LoginResult>;
  /** Keeps a session alive; send the statecode of the login. */
  heartbeat(statecode: string, call?: CallOptions & { kami?: string }): Promise<HeartbeatResult>;
}

/**
 * Options of {@link createSessionClient} (and `createT3Client`): those of `createVerify`
 * without `potato`, and with the value codec passed as an object instead of `encoding`.
 * Passing the codec (`plainCodec`, `createAlphabetCodec(alphabet)`,
 * `createRsaClientCodec(publicKey)`) lets bundlers drop the codecs an app does not use — the
 * RSA one is most of core's size.
 */
export interface SessionClientOptions extends Omit<VerifyOptions, 'encoding' | 'potato'> {
  /** Value codec of the app. Default `plainCodec`. */
  codec?: ClientCodec;
}

/** One signed call of the T3 family. Internal. */
export interface T3CallSpec {
  endpoint: T3Endpoint;
  params: FormFields;
  idempotent: boolean;
  call: CallOptions | undefined;
}

/** A decoded reply, with the response it came in and the sign text of the request. */
export interface DecodedT3Reply {
  body: T3Body;
  response: HttpResponse;
  signText: string;
}

/**
 * What the bigger clients (`createT3Client`, `createVerify`) build on: the session client plus
 * the one implementation of signing and sending. Internal: not exported from the package.
 */
export interface SessionParts {
  client: SessionClient;
  /** Signs, sends (with failover) and decodes one call; any `code` is returned. */
  send(req: T3CallSpec): Promise<DecodedT3Reply>;
  /** {@link SessionParts.send}, throwing the typed error unless the reply's `code` is the success code. */
  sendOk(req: T3CallSpec): Promise<DecodedT3Reply>;
  rotation: HostRotation;
  now: () => number;
  timeoutMs: number;
  maxRetries: number;
  successCode: string | number;
}

/** A field as text (`''` when absent). */
export const textField = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
/** A field as a number (`NaN` when not numeric). */
export const numberField = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

/** Validates the shared options (codec last, as `createVerify` always did) and builds the session client. */
export function buildSessionClient(
  options: Omit<VerifyOptions, 'encoding' | 'potato'>,
  resolveCodec: () => ClientCodec,
  codeForMessage: (message: string) => T3MessageCode | undefined,
): SessionParts {
  const hosts = validateBaseUrls(options.baseUrl);
  requireNonEmptyString('appKey', options.appKey);
  if (typeof options.md5 !== 'function') throw new KamiValidationError('md5', 'md5 must be a function');
  if (typeof options.transport !== 'function')
    throw new KamiValidationError('transport', 'transport must be a function');
  const codec = resolveCodec();
  const { md5, appKey } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  const successCode = options.successCode ?? DEFAULTS.successCode;
  const maxSkew = options.maxClockSkewSeconds ?? DEFAULTS.maxClockSkewSeconds;
  const createSafeCode = options.createSafeCode ?? (() => bytesToHex(randomBytes(8)));
  const rotation = new HostRotation(hosts, options.transport);
  const nowSeconds = () => unixSeconds(now());

  async function send(req: T3CallSpec): Promise<DecodedT3Reply> {
    const route = options.routes[req.endpoint];
    if (!route)
      throw new KamiValidationError(`routes.${req.endpoint}`, `no route code configured for ${req.endpoint}`);
    const signed = signT3Request({ params: req.params, appKey, md5, codec, timestamp: nowSeconds() });
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

  async function sendOk(req: T3CallSpec): Promise<DecodedT3Reply> {
    const result = await send(req);
    if (!isT3Success(result.body.code, successCode))
      throwT3Error(result.body, result.response, codeForMessage);
    return result;
  }

  const client: SessionClient = {
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
      checkClockSkew(f.time as number, nowSeconds(), maxSkew);
      const echoed = body.safe_code === undefined ? undefined : textField(body.safe_code);
      if (options.verifyToken !== false) {
        // The reply's own fields (present, checked above) are the proof; the echo as text.
        const proof: LoginProof = {
          id: f.id as string | number,
          end_time: f.end_time as string,
          token: f.token as string,
          statecode: f.statecode as string,
          time: f.time as string | number,
          date: f.date as string,
          safe_code: echoed,
        };
        verifyLoginToken(md5, proof, {
          appKey,
          signText,
          variant: options.verifyToken ?? 'auto',
          nowSeconds: nowSeconds(),
          maxClockSkewSeconds: Number.POSITIVE_INFINITY, // checked above, independent of verifyToken
          safeCode,
        });
      }
      // Built field by field: object spreads here cost more than the protocol work of a login.
      const result: LoginResult = {
        id: f.id as string | number,
        endTime: textField(f.end_time),
        amount: textField(body.amount),
        available: numberField(body.available),
        token: textField(f.token),
        statecode: textField(f.statecode),
        safeCode: echoed,
        time: numberField(f.time),
        date: textField(f.date),
        imei: textField(body.imei),
        change: numberField(body.change ?? 0),
        core: textField(body.core),
        signText,
        raw: body,
      };
      if (body.recharge !== undefined) result.recharge = body.recharge;
      if (body.use_time !== undefined) result.useTime = body.use_time;
      return result;
    },

    async heartbeat(statecode, call) {
      requireNonEmptyString('statecode', statecode);
      // The catalogue's send order (t3sdk's): kami first, when given.
      const params: Array<[string, string]> = call?.kami
        ? [
            ['kami', call.kami],
            ['statecode', statecode],
          ]
        : [['statecode', statecode]];
      const { body } = await sendOk({ endpoint: 'heartbeat', params, idempotent: true, call });
      const f = requireFields(body, ['time']);
      checkClockSkew(f.time as number, nowSeconds(), maxSkew);
      return {
        msg: textField(body.msg ?? T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE),
        time: numberField(f.time),
        date: textField(body.date),
        raw: body,
      };
    },
  };
  return { client, send, sendOk, rotation, now, timeoutMs, maxRetries, successCode };
}

/** The codec of `createSessionClient` / `createT3Client` options, checked. */
export function injectedCodec(options: { codec?: ClientCodec | undefined }): ClientCodec {
  const codec = options.codec ?? plainCodec;
  if (typeof codec?.encodeValue !== 'function' || typeof codec.decodeResponse !== 'function') {
    throw new KamiValidationError('codec', 'codec must have encodeValue and decodeResponse');
  }
  return codec;
}

/**
 * A client with only `login` and `heartbeat`, the codec injected: the smallest bundle for a
 * page that logs in and keeps the session alive. The same implementation as `createT3Client`
 * and `createVerify` use for these two calls (signing, failover, reply checks, typed errors).
 * Its errors know the messages these two calls answer ({@link T3_SESSION_MESSAGES}); any other
 * text is `UNKNOWN_SERVER_ERROR`, the text kept in `serverMessage`.
 *
 * ```ts
 * const client = createSessionClient({ baseUrl, appKey, routes: { login: '…', heartbeat: '…' }, md5, transport });
 * const session = await client.login(card, deviceId);
 * await client.heartbeat(session.statecode);
 * ```
 */
export function createSessionClient(options: SessionClientOptions): SessionClient {
  return buildSessionClient(options, () => injectedCodec(options), t3SessionCodeForMessage).client;
}
