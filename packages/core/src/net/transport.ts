/**
 * The one I/O seam of core. Wrappers provide it (undici in Node, fetch in browsers).
 *
 * A transport must throw {@link KamiConnectionError} (with `phase: 'connect'` only when the
 * request provably never left), {@link KamiTimeoutError}, or {@link KamiAbortError}; any HTTP
 * status, including 4xx/5xx, is a normal response.
 */
export interface HttpRequest {
  method: 'POST' | 'GET';
  url: string;
  /** Header names as the protocol spells them (potatocloud's are case-preserving). */
  headers: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;
