import type { Md5 } from '../hash';

/** potatocloud signature, version 1: `md5(signSecret + time)`, `time` in milliseconds. */
export function computePotatoSign(md5: Md5, signSecret: string, timeMs: number | string): string {
  return md5(`${signSecret}${timeMs}`);
}

export interface PotatoCredentials {
  askKey: string;
  apiUserToken?: string | undefined;
  /** When set, requests carry `time` and `sign`. */
  signSecret?: string | undefined;
}

/** The headers of one potatocloud call (JSON body). */
export function buildPotatoHeaders(
  md5: Md5,
  credentials: PotatoCredentials,
  timeMs: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    askKey: credentials.askKey,
  };
  if (credentials.apiUserToken) headers.apiUserToken = credentials.apiUserToken;
  if (credentials.signSecret) {
    headers.time = String(timeMs);
    headers.sign = computePotatoSign(md5, credentials.signSecret, timeMs);
  }
  return headers;
}
