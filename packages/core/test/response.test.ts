import { describe, expect, it } from 'vitest';
import {
  alphabetBase64Encode,
  createAlphabetCodec,
  createRsaClientCodec,
  decodeT3Body,
  type HttpResponse,
  isT3Success,
  KamiResponseError,
  plainCodec,
} from '../src';
import { loadVector, rsaKey } from './helpers';

const ab = loadVector('alphabet-base64.json');
const rsaResponses = loadVector('rsa-responses.json');
const seed = loadVector('seed-fixtures.json').t3Login;

const res = (body: string, status = 200, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body,
});

function responseError(fn: () => unknown): KamiResponseError {
  try {
    fn();
  } catch (error) {
    expect(KamiResponseError.isInstance(error)).toBe(true);
    return error as KamiResponseError;
  }
  throw new Error('expected a KamiResponseError');
}

describe('isT3Success', () => {
  it('"200" and 200 both succeed by default', () => {
    expect(isT3Success('200')).toBe(true);
    expect(isT3Success(200)).toBe(true);
    expect(isT3Success(seed.successResponse.code)).toBe(true);
    expect(isT3Success(seed.intSuccessCodeResponse.code)).toBe(true);
  });
  it('other codes, missing codes fail', () => {
    for (const code of ['201', 201, '2000', 0, '', null, undefined, ' 200', true])
      expect(isT3Success(code)).toBe(false);
  });
  it('custom success code (string or number)', () => {
    expect(isT3Success('1', 1)).toBe(true);
    expect(isT3Success(1, '1')).toBe(true);
    expect(isT3Success('ok', 'ok')).toBe(true);
    expect(isT3Success('200', 1)).toBe(false);
    expect(isT3Success(200, 'ok')).toBe(false);
  });
});

describe('decodeT3Body', () => {
  it('plain JSON (seed login reply)', () => {
    expect(decodeT3Body(res(JSON.stringify(seed.successResponse)), plainCodec)).toEqual(seed.successResponse);
    expect(decodeT3Body(res(`\n ${JSON.stringify(seed.errorResponse)} \n`), plainCodec)).toEqual(
      seed.errorResponse,
    );
  });

  it('alphabet base64 replies (alphabet-base64.json)', () => {
    for (const c of ab.responses) {
      const codec = createAlphabetCodec(ab.alphabets[c.alphabet]);
      expect(decodeT3Body(res(c.body), codec)).toEqual(JSON.parse(c.json));
    }
  });

  it('RSA replies (rsa-responses.json)', () => {
    const codec = createRsaClientCodec(rsaKey.publicKeySpkiPem);
    for (const c of rsaResponses.responses.filter((r: { plaintext: string }) =>
      r.plaintext.startsWith('{'),
    )) {
      expect(decodeT3Body(res(c.body), codec)).toEqual(JSON.parse(c.plaintext));
    }
  });

  it('a plain JSON error body is accepted in any mode', () => {
    const codec = createAlphabetCodec(ab.alphabets.shuffled);
    expect(decodeT3Body(res('{"code":201,"msg":"签名有误"}'), codec)).toEqual({ code: 201, msg: '签名有误' });
    const rsa = createRsaClientCodec(rsaKey.publicKeySpkiPem);
    expect(decodeT3Body(res('{"code":"201","msg":"程序未开启"}'), rsa)).toEqual({
      code: '201',
      msg: '程序未开启',
    });
  });

  it('an undecodable body → RESPONSE_DECODE_FAILED (响应解码失败)', () => {
    const codec = createAlphabetCodec(ab.alphabets.shuffled);
    const error = responseError(() => decodeT3Body(res('<<not in the alphabet>>'), codec));
    expect(error.code).toBe('RESPONSE_DECODE_FAILED');
    expect(error.message).toContain('响应解码失败');
    expect(error.httpStatus).toBe(200);
    expect(error.body).toBe('<<not in the alphabet>>');
    const rsa = createRsaClientCodec(rsaKey.publicKeySpkiPem);
    expect(responseError(() => decodeT3Body(res('AAAA'), rsa)).code).toBe('RESPONSE_DECODE_FAILED');
  });

  it('decodable but not JSON → RESPONSE_INVALID_JSON (响应不是有效的JSON格式)', () => {
    const alphabet = ab.alphabets.shuffled;
    const codec = createAlphabetCodec(alphabet);
    const error = responseError(() => decodeT3Body(res(alphabetBase64Encode('not json', alphabet)), codec));
    expect(error.code).toBe('RESPONSE_INVALID_JSON');
    expect(error.message).toContain('响应不是有效的JSON格式');
    expect(responseError(() => decodeT3Body(res('{"code":'), plainCodec)).code).toBe('RESPONSE_INVALID_JSON');
    expect(responseError(() => decodeT3Body(res(''), plainCodec)).code).toBe('RESPONSE_INVALID_JSON');
  });

  it('JSON that is not an object → RESPONSE_INVALID_JSON', () => {
    for (const body of ['[1,2]', '"200"', '200', 'null']) {
      expect(responseError(() => decodeT3Body(res(body), plainCodec)).code).toBe('RESPONSE_INVALID_JSON');
    }
  });

  it('HTTP error pages → HTTP_ERROR with the status and a bounded body excerpt', () => {
    const html = `<html><body>502 Bad Gateway${'.'.repeat(1000)}</body></html>`;
    const error = responseError(() => decodeT3Body(res(html, 502), plainCodec));
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.httpStatus).toBe(502);
    expect(error.message).toBe('HTTP 502');
    expect(error.body).toBe(html.slice(0, 512));
    const codec = createAlphabetCodec(ab.alphabets.shuffled);
    expect(responseError(() => decodeT3Body(res('Service Unavailable', 503), codec)).code).toBe('HTTP_ERROR');
  });

  it('an HTTP error status with a JSON body is still parsed (the caller maps the message)', () => {
    expect(decodeT3Body(res('{"code":429,"msg":"请求过于频繁,请稍后再试"}', 429), plainCodec)).toEqual({
      code: 429,
      msg: '请求过于频繁,请稍后再试',
    });
  });
});
