// One answer, for every transport, to "did this request never reach a server?". Only such a
// failure may send a non-idempotent call (a login) to the next host. Node's fetch and undici
// report the same socket codes, on the error, its `cause`, or each attempt of an AggregateError.

/**
 * Failures that happen before a single byte of the request can have reached a server: DNS,
 * refused or unreachable, connect timeout, TLS handshake.
 */
const CONNECT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  // The client's own dispatcher was closed or destroyed: nothing is sent any more.
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  // TLS handshake failures: the HTTP request is written only after the handshake.
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Error codes of `error`, its `cause` and, for an AggregateError (happy eyeballs), every attempt. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== 'object' || value === null || depth > 3) return;
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
    visit(cause, depth + 1);
  };
  visit(error, 0);
  return codes;
}

/**
 * True when every code recorded on the error is a connect-phase one: a reset seen anywhere
 * means the bytes may have left. No code at all is "unknown", never "connect".
 */
export function neverConnected(codes: readonly string[]): boolean {
  return codes.length > 0 && codes.every((c) => CONNECT_CODES.has(c));
}
