// One answer, for every transport, to "did this request never reach a server?". Only such a
// failure may send a non-idempotent call (a login) to the next host. Node's fetch and undici
// report the same socket codes, on the error, its `cause`, or each attempt of an AggregateError.

/**
 * Failures that happen before a single byte of the request can have reached a server: DNS
 * (every getaddrinfo EAI_*), refused or unreachable, connect timeout, the client's own dispatcher
 * closed or destroyed (nothing is sent any more), and TLS handshake failures (the HTTP request is
 * written only after the handshake). A pattern rather than a list: this ships in browser bundles.
 */
const CONNECT_CODE =
  /^(?:ECONNREFUSED|ENOTFOUND|EAI_|EHOST|ENET(?:UNREACH|DOWN)$|EADDRNOTAVAIL|UND_ERR_(?:CONNECT_TIMEOUT|CLOSED|DESTROYED)$|CERT_|(?:DEPTH_ZERO_)?SELF_SIGNED_CERT|UNABLE_TO_|ERR_TLS_CERT_ALTNAME)/;

/** Error codes of `error`, its `cause` and, for an AggregateError (happy eyeballs), every attempt. */
export function errorCodes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 3) return [];
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  return [
    ...(typeof code === 'string' ? [code] : []),
    ...(Array.isArray(errors) ? errors.flatMap((inner) => errorCodes(inner, depth + 1)) : []),
    ...errorCodes(cause, depth + 1),
  ];
}

/**
 * True when every code recorded on the error is a connect-phase one: a reset seen anywhere
 * means the bytes may have left. No code at all is "unknown", never "connect".
 */
export function neverConnected(codes: readonly string[]): boolean {
  return codes.length > 0 && codes.every((c) => CONNECT_CODE.test(c));
}
