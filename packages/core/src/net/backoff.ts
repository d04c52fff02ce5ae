export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  random: () => number;
}

/**
 * Delay before retry `attempt` (1-based): exponential with "equal jitter". The ceiling doubles
 * from `initialMs` up to `maxMs`; half of it is always waited and the other half is random.
 * (Full jitter would draw from 0 to the whole ceiling, so a retry could come at once.) The
 * random half keeps a fleet of clients that lost the server together from returning in step;
 * the fixed half keeps each one from hammering it.
 */
export function backoffMs(attempt: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + policy.random() * (ceiling / 2);
}
