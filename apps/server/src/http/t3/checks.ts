// The checks every T3 endpoint shares, in the hosted service's order: app switch, endpoint
// switch, timestamp, signature, then value decoding.
import { buildSignText, type ServerCodec, type T3MessageCode, verifyT3Signature } from '@kami-verify/core';
import { endpointRefusal } from '../../domain/rules/index';
import type { AppRecord, T3RouteName } from '../../domain/types';
import { md5 } from '../../md5';
import { type Fields, firstValue } from '../form';

export interface CheckedRequest {
  /** Decoded values by name (first occurrence), `t` and `s` excluded. */
  values: Map<string, string>;
  /** The pre-hash sign text, when the app uses two-way signatures (it goes into the token). */
  signText: string | undefined;
}

function tryDecode(codec: ServerCodec, value: string): string | undefined {
  try {
    return codec.decodeValue(value);
  } catch {
    return undefined;
  }
}

export function checkT3Request(input: {
  app: AppRecord;
  route: T3RouteName;
  fields: Fields;
  codec: ServerCodec;
  nowMs: number;
}): CheckedRequest | { error: T3MessageCode } {
  const { app, route, fields, codec } = input;
  const s = app.settings;
  const refused = endpointRefusal(app, route);
  if (refused) return refused;

  if (s.timestampCheck.enabled) {
    const raw = firstValue(fields, 't');
    if (raw === undefined || raw === '') return { error: 'TIMESTAMP_REQUIRED' };
    const t = tryDecode(codec, raw);
    // 10-digit seconds per the docs; anything unparsable is as stale as a wrong time.
    if (t === undefined || !/^\d{1,12}$/.test(t)) return { error: 'TIMESTAMP_INVALID' };
    if (Math.abs(Number(t) - input.nowMs / 1000) > s.timestampCheck.windowSeconds)
      return { error: 'TIMESTAMP_INVALID' };
  }

  let signText: string | undefined;
  if (s.signatureCheck !== 'off') {
    const raw = firstValue(fields, 's');
    if (raw === undefined || raw === '') return { error: 'SIGNATURE_REQUIRED' };
    const signature = tryDecode(codec, raw);
    // The signature covers the values as sent (still encoded), in the order sent.
    if (signature === undefined || !verifyT3Signature(md5, fields, app.appKey, signature)) {
      return { error: 'SIGNATURE_INVALID' };
    }
    // Only the two-way token hashes it (the login handler passes it on for that setting only).
    if (s.signatureCheck === 'two-way') signText = buildSignText(fields, app.appKey);
  }

  // Decoded only now, so unsigned garbage is answered 签名有误 above rather than decoded first.
  const values = new Map<string, string>();
  for (const [name, value] of fields) {
    if (name === 't' || name === 's' || values.has(name)) continue;
    const decoded = tryDecode(codec, value);
    // NUL cannot be stored in PostgreSQL text, and no card key or machine code contains it.
    if (decoded === undefined || decoded.includes('\u0000')) return { error: 'BAD_REQUEST' };
    values.set(name, decoded);
  }
  return { values, signText };
}
