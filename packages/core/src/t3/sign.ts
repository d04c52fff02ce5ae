import type { ClientCodec } from '../codecs/types';
import type { Md5 } from '../hash';

/** Request fields in the order they are sent. Order matters: the signature is not sorted. */
export type FormFields = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The T3 sign text: `k1=v1&k2=v2&...&t=T&APPKEY`, every field except `s`, in the order sent,
 * with the values exactly as sent (after the value codec, before URL encoding).
 */
export function buildSignText(fields: FormFields, appKey: string): string {
  let text = '';
  for (const [name, value] of fields) {
    if (name === 's') continue;
    text += `${name}=${value}&`;
  }
  return text + appKey;
}

/** `s = md5(signText)`, 32 lowercase hex. */
export function computeSignature(md5: Md5, signText: string): string {
  return md5(signText);
}

export interface SignedT3Request {
  /** The fields to send, in order, with `t` and `s` appended (all values encoded). */
  fields: Array<[string, string]>;
  /** The pre-hash sign text; the two-way token variant includes it. */
  signText: string;
}

/**
 * Encodes each value once with the app's codec, appends `t`, signs exactly those bytes and
 * appends `s` (encoded too when a codec is on).
 */
export function signT3Request(input: {
  params: FormFields;
  appKey: string;
  md5: Md5;
  codec: ClientCodec;
  timestamp: number;
}): SignedT3Request {
  const fields: Array<[string, string]> = input.params.map(([k, v]) => [k, input.codec.encodeValue(v)]);
  fields.push(['t', input.codec.encodeValue(String(input.timestamp))]);
  const signText = buildSignText(fields, input.appKey);
  fields.push(['s', input.codec.encodeValue(computeSignature(input.md5, signText))]);
  return { fields, signText };
}

/** `application/x-www-form-urlencoded` body for ordered fields. */
export function encodeForm(fields: FormFields): string {
  return fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
