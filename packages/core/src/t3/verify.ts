import { timingSafeEqualString } from '../bytes';
import type { Md5 } from '../hash';
import { buildSignText, computeSignature, type FormFields } from './sign';

/** Server-side check of a received `s` (already decoded) against the received fields. */
export function verifyT3Signature(md5: Md5, fields: FormFields, appKey: string, signature: string): boolean {
  const expected = computeSignature(md5, buildSignText(fields, appKey));
  return timingSafeEqualString(expected, signature.toLowerCase());
}
