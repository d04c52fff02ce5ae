// The checks every T3 endpoint shares: app switch, endpoint switch, field lengths, timestamp
// presence, signature, timestamp window, then value decoding. The signature covers the values
// as sent, so it is verified before anything but `s` itself is decoded: an unsigned request
// costs one decode of one capped field (one RSA block) at most, whatever its size.
import { buildSignText, type T3MessageCode } from '@kami-verify/core';
import { type ServerCodec, verifyT3Signature } from '@kami-verify/core/server';
import { endpointRefusal } from '../../domain/rules/index';
import type { AppRecord, T3RouteName } from '../../domain/types';
import { md5 } from '../../md5';
import { type Fields, firstValue } from '../form';
import { T3_CHECK_CAPS, T3_FIELD_CAPS } from './field-caps';

export interface CheckedRequest {
  /** Decoded values by name (first occurrence) of the fields the endpoint reads. */
  values: Map<string, string>;
  /** The pre-hash sign text of a verified login request (it may go into the token). */
  signText: string | undefined;
  /**
   * The app as this request is served: during a key rotation's overlap a request signed with
   * the previous APPKEY is answered with that key (its token included), so old clients work on.
   */
  app: AppRecord;
}

/** Any decoding failure is `undefined`: the caller answers each field's one reply for all. */
function tryDecode(codec: ServerCodec, value: string): string | undefined {
  try {
    return codec.decodeValue(value);
  } catch {
    return undefined;
  }
}

/** A field's cap for this request: the endpoint's own fields, plus `t` / `s` when checked. */
function capOf(name: string, app: AppRecord, route: T3RouteName): number | undefined {
  if (name === 't') return app.settings.timestampCheck.enabled ? T3_CHECK_CAPS.t : undefined;
  if (name === 's') return app.settings.signatureCheck !== 'off' ? T3_CHECK_CAPS.s : undefined;
  return T3_FIELD_CAPS[route].get(name);
}

function withinCaps(fields: Fields, app: AppRecord, route: T3RouteName, codec: ServerCodec): boolean {
  for (const [name, value] of fields) {
    const bytes = capOf(name, app, route);
    if (bytes !== undefined && value.length > codec.maxEncodedLength(bytes)) return false;
  }
  return true;
}

export function checkT3Request(input: {
  app: AppRecord;
  route: T3RouteName;
  fields: Fields;
  codec: ServerCodec;
  nowMs: number;
}): CheckedRequest | { error: T3MessageCode } {
  const { route, fields, codec } = input;
  let app = input.app;
  const s = app.settings;
  const refused = endpointRefusal(app, route);
  if (refused) return refused;
  if (!withinCaps(fields, app, route, codec)) return { error: 'BAD_REQUEST' };

  const rawT = firstValue(fields, 't');
  if (s.timestampCheck.enabled && (rawT === undefined || rawT === '')) return { error: 'TIMESTAMP_REQUIRED' };

  let signText: string | undefined;
  if (s.signatureCheck !== 'off') {
    const raw = firstValue(fields, 's');
    if (raw === undefined || raw === '') return { error: 'SIGNATURE_REQUIRED' };
    // Undecodable and wrong are one answer: no oracle on how decoding failed.
    const signature = tryDecode(codec, raw);
    if (signature === undefined) return { error: 'SIGNATURE_INVALID' };
    if (!verifyT3Signature(md5, fields, app.appKey, signature)) {
      const old = app.previous?.appKey;
      if (!old || input.nowMs >= old.until || !verifyT3Signature(md5, fields, old.key, signature))
        return { error: 'SIGNATURE_INVALID' };
      app = { ...app, appKey: old.key };
    }
    // The login token may hash it (settings.loginToken decides); only login reads it.
    if (route === 'login' || route === 'user_login') signText = buildSignText(fields, app.appKey);
  }

  if (s.timestampCheck.enabled) {
    const t = tryDecode(codec, rawT!);
    // 10-digit seconds per the docs; anything unparsable is as stale as a wrong time.
    if (t === undefined || !/^\d{1,12}$/.test(t)) return { error: 'TIMESTAMP_INVALID' };
    if (Math.abs(Number(t) - input.nowMs / 1000) > s.timestampCheck.windowSeconds)
      return { error: 'TIMESTAMP_INVALID' };
  }

  const values = new Map<string, string>();
  for (const name of T3_FIELD_CAPS[route].keys()) {
    const raw = firstValue(fields, name);
    if (raw === undefined) continue;
    const decoded = tryDecode(codec, raw);
    // NUL cannot be stored in PostgreSQL text, and no card key or machine code contains it.
    if (decoded === undefined || decoded.includes('\u0000')) return { error: 'BAD_REQUEST' };
    values.set(name, decoded);
  }
  return { values, signText, app };
}
