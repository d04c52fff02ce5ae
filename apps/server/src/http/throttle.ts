// Failed-login throttling per client IP: card keys are short enough to guess, so an IP that keeps
// failing logins is slowed down. In memory by design (one process; a restart forgets), on the
// injected clock so tests can move past the window.

import type { ThrottleConfig } from '../config/types';
import type { Clock } from '../domain/types';

/** Bounds memory under an address-spraying attack; the oldest entries are evicted first. */
const MAX_TRACKED_IPS = 50_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly config: ThrottleConfig | false,
    private readonly clock: Clock,
  ) {}

  /** Seconds the IP must wait, or 0 when it may try. */
  retryAfterSeconds(ip: string): number {
    if (!this.config) return 0;
    const recent = this.recent(ip);
    if (recent.length < this.config.maxFailures) return 0;
    const windowMs = this.config.windowSeconds * 1000;
    // Allowed again once enough of the oldest failures have left the window.
    const unblockAt = recent[recent.length - this.config.maxFailures]! + windowMs;
    return Math.max(1, Math.ceil((unblockAt - this.clock.now()) / 1000));
  }

  recordFailure(ip: string): void {
    if (!this.config) return;
    const recent = this.recent(ip);
    recent.push(this.clock.now());
    // Only the last maxFailures timestamps matter for the decision.
    if (recent.length > this.config.maxFailures) recent.splice(0, recent.length - this.config.maxFailures);
    this.failures.delete(ip);
    this.failures.set(ip, recent);
    if (this.failures.size > MAX_TRACKED_IPS) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  private recent(ip: string): number[] {
    if (!this.config) return [];
    const since = this.clock.now() - this.config.windowSeconds * 1000;
    const list = (this.failures.get(ip) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(ip);
    return list;
  }
}
