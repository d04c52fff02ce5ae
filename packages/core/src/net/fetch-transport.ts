import { KamiAbortError, KamiConnectionError, KamiTimeoutError } from '../errors';
import { errorCodes, neverConnected } from './connect-errors';
import type { HttpRequest, HttpResponse, Transport } from './transport';

type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | undefined; signal: AbortSignal },
) => Promise<{
  status: number;
  headers: { forEach(cb: (value: string, key: string) => void): void };
  text(): Promise<string>;
}>;

/** A transport over the platform's `fetch` (browsers, Node ≥ 18, Deno, Bun, workers). */
export function createFetchTransport(fetchImpl?: FetchLike): Transport {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const doFetch = fetchImpl ?? (globalThis as unknown as { fetch: FetchLike }).fetch;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    const onAbort = () => controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (request.signal?.aborted) throw new KamiAbortError({ cause: request.signal.reason });
      const res = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
      });
      const headers: Record<string, string> = {};
      res.headers.forEach((value, key) => {
        headers[key.toLowerCase()] = value;
      });
      return { status: res.status, headers, body: await res.text() };
    } catch (error) {
      if (error instanceof KamiAbortError) throw error;
      if (request.signal?.aborted) throw new KamiAbortError({ cause: request.signal.reason });
      if (timedOut)
        throw new KamiTimeoutError(`请求超时: no answer from ${request.url} within ${request.timeoutMs} ms`);
      const codes = errorCodes(error);
      throw new KamiConnectionError(
        `连接错误: ${request.url}: ${codes[0] ?? (error as Error)?.message ?? error}`,
        { cause: error, phase: neverConnected(codes) ? 'connect' : 'unknown' },
      );
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  };
}
