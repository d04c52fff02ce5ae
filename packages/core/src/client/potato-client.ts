import { KamiApiError, KamiResponseError, KamiValidationError, potatoErrorFromEnvelope } from '../errors';
import type { Md5 } from '../hash';
import { POTATO_MESSAGES } from '../messages';
import { parseRetryAfterMs } from '../net/retry-after';
import type { PotatoCard, PotatoEnvelope } from '../potato/envelope';
import { buildPotatoHeaders } from '../potato/sign';
import type { HostRotation } from './failover';
import type { CallOptions, PotatoOptions } from './options';
import type { CardListResult } from './results';
import { requireNonEmptyString, validateCreateCard } from './validate';

interface PotatoContext {
  options: PotatoOptions;
  rotation: HostRotation;
  md5: Md5;
  now: () => number;
  timeoutMs: number;
  maxRetries: number;
  signal: AbortSignal | undefined;
}

/** The potatocloud half of the client: reseller login, card creation, card listing. */
export class PotatoClient {
  private token: string | undefined;

  constructor(private readonly ctx: PotatoContext) {
    this.token = ctx.options.apiUserToken;
  }

  /** `/api/login` → `apiUserToken` (kept for later calls). */
  async login(userNumber?: string, passWord?: string, call?: CallOptions): Promise<string> {
    const user = requireNonEmptyString('userNumber', userNumber ?? this.ctx.options.userNumber);
    const pass = requireNonEmptyString('passWord', passWord ?? this.ctx.options.passWord);
    const data = await this.call<{ apiUserToken?: unknown }>(
      '/api/login',
      { userNumber: user, passWord: pass },
      { idempotent: true, auth: false },
      call,
    );
    if (typeof data?.apiUserToken !== 'string') {
      throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: data.apiUserToken');
    }
    this.token = data.apiUserToken;
    return data.apiUserToken;
  }

  async createCardMy(input: { type: number; total: number }, call?: CallOptions): Promise<PotatoCard[]> {
    const body = validateCreateCard(input);
    const data = await this.authed<PotatoCard[]>('/api/createCardMy', body, false, call);
    if (!Array.isArray(data))
      throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: data');
    return data;
  }

  async getCardMyList(
    query: { p?: number; s?: number; cardStr?: string; state?: number; type?: number } = {},
    call?: CallOptions,
  ): Promise<CardListResult> {
    const data = await this.authed<unknown>('/api/getCardMyList', { ...query }, true, call);
    const record = (data ?? {}) as { list?: unknown; records?: unknown; total?: unknown };
    const cards = Array.isArray(data)
      ? data
      : Array.isArray(record.list)
        ? record.list
        : Array.isArray(record.records)
          ? record.records
          : [];
    return {
      cards: cards as PotatoCard[],
      total: typeof record.total === 'number' ? record.total : undefined,
      raw: data,
    };
  }

  /** Calls with the user token, logging in first (and once more on an expired token) when we can. */
  private async authed<T>(path: string, body: object, idempotent: boolean, call?: CallOptions): Promise<T> {
    const canLogin = Boolean(this.ctx.options.userNumber && this.ctx.options.passWord);
    if (!this.token && canLogin) await this.login(undefined, undefined, call);
    if (!this.token) {
      throw new KamiValidationError(
        'potato.apiUserToken',
        'potato.apiUserToken (or userNumber + passWord) is required',
      );
    }
    try {
      return await this.call<T>(path, body, { idempotent, auth: true }, call);
    } catch (error) {
      const expired =
        KamiApiError.isInstance(error) && error.serverMessage === POTATO_MESSAGES.USER_TOKEN_INVALID;
      if (!expired || !canLogin) throw error;
      await this.login(undefined, undefined, call);
      return this.call<T>(path, body, { idempotent, auth: true }, call);
    }
  }

  private async call<T>(
    path: string,
    body: object,
    mode: { idempotent: boolean; auth: boolean },
    call?: CallOptions,
  ): Promise<T> {
    const signal = call?.signal ?? this.ctx.signal;
    const json = JSON.stringify(body);
    const response = await this.ctx.rotation.send(
      (host) => ({
        method: 'POST',
        url: host + path,
        // Fresh time and sign per attempt: the sign only covers the time.
        headers: buildPotatoHeaders(
          this.ctx.md5,
          { ...this.ctx.options, apiUserToken: mode.auth ? this.token : undefined },
          this.ctx.now(),
        ),
        body: json,
        timeoutMs: call?.timeoutMs ?? this.ctx.timeoutMs,
        signal,
      }),
      { idempotent: mode.idempotent, maxRetries: this.ctx.maxRetries, signal },
    );
    let envelope: PotatoEnvelope<T>;
    try {
      envelope = JSON.parse(response.body) as PotatoEnvelope<T>;
    } catch (cause) {
      throw new KamiResponseError(
        response.status >= 400 ? 'HTTP_ERROR' : 'RESPONSE_INVALID_JSON',
        response.status >= 400 ? `HTTP ${response.status}` : '响应不是有效的JSON格式',
        { httpStatus: response.status, body: response.body, cause },
      );
    }
    if (typeof envelope !== 'object' || envelope === null || !('code' in envelope)) {
      throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: code', {
        httpStatus: response.status,
        body: response.body,
      });
    }
    if (String(envelope.code) !== '200') {
      throw potatoErrorFromEnvelope(typeof envelope.message === 'string' ? envelope.message : '', {
        serverCode: envelope.code,
        httpStatus: response.status,
        retryAfterMs: parseRetryAfterMs(response.headers['retry-after']),
      });
    }
    return envelope.data;
  }
}
