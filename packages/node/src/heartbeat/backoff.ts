import { type KamiError, KamiRateLimitError } from '@kami-verify/core';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  random: () => number;
}

/**
 * Delay before retry `attempt` (1-based): exponential with "equal jitter" (half fixed, half
 * random) so a fleet of clients that lost the server together does not come back in step, yet
 * each still retries soon. A 429's Retry-After is honoured when it asks for longer.
 */
export function backoffDelayMs(attempt: number, error: KamiError, policy: BackoffPolicy): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  const delay = cap / 2 + policy.random() * (cap / 2);
  const retryAfter = KamiRateLimitError.isInstance(error) ? error.retryAfterMs : undefined;
  return Math.round(retryAfter !== undefined && retryAfter > delay ? retryAfter : delay);
}
