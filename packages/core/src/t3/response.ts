import type { ClientCodec } from '../codecs/types';
import { KamiResponseError, t3ErrorForCode } from '../errors';
import type { T3MessageCode } from '../messages';
import { parseRetryAfterMs } from '../net/retry-after';
import type { HttpResponse } from '../net/transport';

export type T3Body = Record<string, unknown>;

/** `"200"` and `200` both count; the success value is an app setting on the hosted service. */
export function isT3Success(code: unknown, successCode: string | number = 200): boolean {
  return code !== undefined && code !== null && String(code) === String(successCode);
}

/**
 * Decodes a T3 reply body (codec first; a plain JSON body is accepted in any mode because
 * some errors are raised before the server knows the app's codec) and parses the JSON.
 */
export function decodeT3Body(response: HttpResponse, codec: ClientCodec): T3Body {
  const raw = response.body.trim();
  // Plain JSON is accepted in every mode; a custom alphabet may contain '{', so a leading
  // brace only wins when it really parses.
  let parsed: unknown = raw.startsWith('{') ? tryParseJson(raw) : undefined;
  if (parsed === undefined) {
    let text = raw;
    if (codec.mode !== 'plain') {
      try {
        text = codec.decodeResponse(raw);
      } catch (cause) {
        throw new KamiResponseError(
          response.status >= 400 ? 'HTTP_ERROR' : 'RESPONSE_DECODE_FAILED',
          response.status >= 400
            ? `HTTP ${response.status}`
            : '响应解码失败: the body is not valid in this encoding mode',
          { httpStatus: response.status, body: response.body, cause },
        );
      }
    }
    parsed = tryParseJson(text);
    if (parsed === undefined) {
      throw new KamiResponseError(
        response.status >= 400 ? 'HTTP_ERROR' : 'RESPONSE_INVALID_JSON',
        response.status >= 400 ? `HTTP ${response.status}` : '响应不是有效的JSON格式',
        { httpStatus: response.status, body: response.body },
      );
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KamiResponseError('RESPONSE_INVALID_JSON', '响应不是有效的JSON格式: expected an object', {
      httpStatus: response.status,
      body: response.body,
    });
  }
  return parsed as T3Body;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Throws the typed error for a non-success body, its message looked up with `codeForMessage`
 * (the full table, or the session client's smaller one).
 */
export function throwT3Error(
  body: T3Body,
  response: HttpResponse,
  codeForMessage: (message: string) => T3MessageCode | undefined,
): never {
  if (body.code === undefined || body.code === null) {
    throw new KamiResponseError('RESPONSE_MISSING_FIELD', '响应数据缺少必要字段: code', {
      httpStatus: response.status,
      body: response.body,
    });
  }
  const msg = typeof body.msg === 'string' ? body.msg : typeof body.message === 'string' ? body.message : '';
  throw t3ErrorForCode(codeForMessage(msg), msg, {
    serverCode: body.code as string | number | undefined,
    httpStatus: response.status,
    retryAfterMs: parseRetryAfterMs(response.headers['retry-after']),
  });
}

/** Reads required fields, throwing 响应数据缺少必要字段 with the field name. */
export function requireFields<K extends string>(body: T3Body, names: readonly K[]): Record<K, unknown> {
  for (const name of names) {
    if (body[name] === undefined || body[name] === null) {
      throw new KamiResponseError('RESPONSE_MISSING_FIELD', `响应数据缺少必要字段: ${name}`);
    }
  }
  return body as Record<K, unknown>;
}
