// Fault-injecting fake transports for client and failover tests (no real I/O).
import type { HttpRequest, HttpResponse, Transport } from '../src';
import { KamiAbortError, KamiConnectionError, KamiTimeoutError } from '../src';
import {
  md5,
  nodeAlphabetBase64,
  nodeRsaDecryptValue,
  nodeRsaEncryptResponse,
  STD_ALPHABET,
} from './helpers';

export type Outcome =
  | HttpResponse
  | { error: 'connect' | 'reset' | 'timeout' | 'abort' | 'other' }
  | ((request: HttpRequest) => HttpResponse | Promise<HttpResponse>);

export const ok = (
  body: string | object,
  status = 200,
  headers: Record<string, string> = {},
): HttpResponse => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** A transport whose answer per host follows a script (last entry repeats); records every request. */
export function scriptedTransport(script: Record<string, Outcome[]>) {
  const calls: HttpRequest[] = [];
  const counters = new Map<string, number>();
  const transport: Transport = async (request) => {
    calls.push(request);
    const host = new URL(request.url).origin;
    const steps = script[host];
    if (!steps || steps.length === 0) throw new Error(`no script for ${host}`);
    const n = counters.get(host) ?? 0;
    counters.set(host, n + 1);
    const step = steps[Math.min(n, steps.length - 1)]!;
    if (typeof step === 'function') return step(request);
    if ('error' in step) {
      switch (step.error) {
        case 'connect':
          throw new KamiConnectionError(`连接错误: ${request.url}: ECONNREFUSED`, { phase: 'connect' });
        case 'reset':
          throw new KamiConnectionError(`连接错误: ${request.url}: ECONNRESET`, { phase: 'unknown' });
        case 'timeout':
          throw new KamiTimeoutError(`请求超时: ${request.url}`);
        case 'abort':
          throw new KamiAbortError();
        default:
          throw new TypeError('a bug in the transport');
      }
    }
    return step;
  };
  const hostsCalled = () => calls.map((c) => new URL(c.url).origin);
  return { transport, calls, hostsCalled };
}

// ---------------------------------------------------------------------------------------------
// A tiny fake T3 server built on node:crypto only (independent of core's codecs and signing).

export type FakeEncoding = { mode: 'plain' } | { mode: 'base64'; alphabet: string } | { mode: 'rsa' };

function decodeValue(value: string, encoding: FakeEncoding): string {
  if (encoding.mode === 'plain') return value;
  if (encoding.mode === 'rsa') return nodeRsaDecryptValue(value);
  const ascii = Buffer.from(value, 'hex').toString('ascii');
  const std = [...ascii]
    .map((ch) => (ch === '=' ? '=' : STD_ALPHABET[encoding.alphabet.indexOf(ch)]))
    .join('');
  return Buffer.from(std, 'base64').toString('utf8');
}

function encodeBody(json: string, encoding: FakeEncoding): string {
  if (encoding.mode === 'plain') return json;
  if (encoding.mode === 'rsa') return nodeRsaEncryptResponse(json);
  return nodeAlphabetBase64(json, encoding.alphabet);
}

export interface T3Received {
  /** Decoded params in order (t and s excluded). */
  params: [string, string][];
  t: string;
  s: string;
  /** The sign text over the values as received. */
  signText: string;
  signatureValid: boolean;
  request: HttpRequest;
}

/**
 * Parses a form request the way a T3 server does, checks `s`, and answers `reply(received)`
 * (an object → JSON, encoded in the app's mode; or a full HttpResponse).
 */
export function t3Handler(
  appKey: string,
  encoding: FakeEncoding,
  reply: (received: T3Received) => object | HttpResponse,
  log?: T3Received[],
): (request: HttpRequest) => HttpResponse {
  return (request) => {
    const raw = [...new URLSearchParams(request.body ?? '')];
    const beforeS = raw.filter(([k]) => k !== 's');
    const signText = `${beforeS.map(([k, v]) => `${k}=${v}&`).join('')}${appKey}`;
    const decoded = raw.map(([k, v]) => [k, decodeValue(v, encoding)] as [string, string]);
    const s = decoded.find(([k]) => k === 's')?.[1] ?? '';
    const t = decoded.find(([k]) => k === 't')?.[1] ?? '';
    const received: T3Received = {
      params: decoded.filter(([k]) => k !== 's' && k !== 't'),
      t,
      s,
      signText,
      signatureValid: md5(signText) === s,
      request,
    };
    log?.push(received);
    const out = reply(received);
    if ('status' in out && 'body' in out && 'headers' in out) return out as HttpResponse;
    return { status: 200, headers: {}, body: encodeBody(JSON.stringify(out), encoding) };
  };
}

/** A login reply as the hosted service builds it (token basic or two-way). */
export function loginReply(
  appKey: string,
  received: T3Received,
  opts: {
    time: number;
    date: string;
    variant?: 'basic' | 'signed';
    id?: number | string;
    endTime?: string;
    code?: string | number;
  },
) {
  const id = opts.id ?? 1;
  const endTime = opts.endTime ?? '2026-04-10 12:00:00';
  const signText = opts.variant === 'signed' ? received.signText : '';
  const token = md5(`${id}${appKey}${signText}${endTime}${opts.date}`);
  const safe = received.params.find(([k]) => k === 'safe_code')?.[1];
  return {
    code: opts.code ?? '200',
    id,
    end_time: endTime,
    amount: '30天',
    available: 2592000,
    token,
    statecode: md5(`${token}${opts.time}`),
    ...(safe === undefined ? {} : { safe_code: safe }),
    time: opts.time,
    date: opts.date,
    imei: received.params.find(([k]) => k === 'imei')?.[1] ?? '',
    change: 0,
    core: '48656c6c6f',
  };
}
