import { KamiAbortError, KamiConnectionError } from '../errors';
import { backoffMs } from '../net/backoff';
import { parseRetryAfterMs } from '../net/retry-after';
import type { HttpRequest, HttpResponse, Transport } from '../net/transport';

export interface FailoverPolicy {
  /** Safe to send again after it may have reached a server (heartbeat, query, notice...). */
  idempotent: boolean;
  maxRetries: number;
  signal?: AbortSignal | undefined;
}

/**
 * Rotates hosts the way the official SDKs do (next host on no answer, 408 or 5xx), but only
 * resends a non-idempotent call (login, unbind, card creation) when the request provably never
 * reached a server: a connect-phase failure or a 408. The host that answered becomes preferred.
 */
export class HostRotation {
  private preferred = 0;

  constructor(
    readonly hosts: readonly string[],
    private readonly transport: Transport,
  ) {}

  async send(build: (host: string) => HttpRequest, policy: FailoverPolicy): Promise<HttpResponse> {
    let lastError: unknown;
    for (let round = 0; round <= (policy.idempotent ? policy.maxRetries : 0); round++) {
      if (round > 0) await sleep(roundDelayMs(round, lastError), policy.signal);
      for (let i = 0; i < this.hosts.length; i++) {
        const index = (this.preferred + i) % this.hosts.length;
        try {
          const response = await this.transport(build(this.hosts[index]!));
          if (shouldFailOver(response.status, policy.idempotent)) {
            lastError = response;
            continue;
          }
          this.preferred = index;
          return response;
        } catch (error) {
          if (KamiAbortError.isInstance(error)) throw error;
          if (!KamiConnectionError.isInstance(error)) throw error;
          lastError = error;
          if (!policy.idempotent && error.phase !== 'connect') throw error;
        }
      }
    }
    if (isResponse(lastError)) return lastError;
    throw lastError;
  }
}

function isResponse(value: unknown): value is HttpResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

function shouldFailOver(status: number, idempotent: boolean): boolean {
  if (status === 408) return true;
  return idempotent && (status >= 500 || status === 429);
}

/** {@link backoffMs} from 500 ms up to 8 s, or a 429's Retry-After when it is within a minute. */
function roundDelayMs(round: number, lastError: unknown): number {
  if (isResponse(lastError) && lastError.status === 429) {
    const retryAfter = parseRetryAfterMs(lastError.headers['retry-after']);
    if (retryAfter !== undefined && retryAfter <= 60_000) return retryAfter;
  }
  return backoffMs(round, { initialMs: 500, maxMs: 8_000, random: Math.random });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new KamiAbortError({ cause: signal.reason }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new KamiAbortError({ cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
