// Throttling of the routes that can be used to guess a secret (card keys, statecodes, potato
// passwords), per client IP: an IP that keeps failing waits (429 with Retry-After).
//
// - An attempt is reserved before anything is awaited: a burst of simultaneous guesses cannot
//   all be evaluated before the first fails (the rest wait for a turn, then get 429).
// - Fixed windows of `windowSeconds`: at most `maxFailures` failed attempts per window.
// - On PostgreSQL the failures are also counted in the database (store/attempts.ts), so several
//   processes share one budget and a restart does not reset it. Only IPs that already failed in
//   the window pay that round trip; the first attempt of a fresh IP on each process is local.

import type { ThrottleConfig } from '../config/types';
import type { Clock } from '../domain/types';
import { T3_CATALOGUE } from '../schema/t3-catalogue';
import type { AttemptStore } from '../store/attempts';

/** Bounds memory under an address-spraying attack; the oldest entries are evicted first. */
const MAX_TRACKED_IPS = 50_000;
/** Attempts of one IP that may wait for a turn; beyond, they are refused at once. */
const MAX_WAITING_PER_IP = 1_000;

interface Entry {
  windowStart: number;
  /** Failed attempts of this window, in this process. */
  failures: number;
  /** Attempts being evaluated now. */
  inFlight: number;
  /** Attempts waiting for a turn (woken when one in flight settles). */
  waiting: Array<() => void>;
}

export type Attempt = {
  /** Settles the attempt: a failure counts, anything else is forgotten. */
  done(failed: boolean): void;
};

export class GuessThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly config: ThrottleConfig | false,
    private readonly clock: Clock,
    private readonly shared?: AttemptStore,
  ) {}

  /**
   * Reserves an attempt for `ip`, or says how many seconds it must wait. Attempts in flight
   * count against the budget, so at most `maxFailures − failures` are evaluated at once; more
   * wait for a turn (legitimate traffic from one address is delayed, never refused, until it
   * actually fails).
   */
  async begin(ip: string): Promise<Attempt | { retryAfter: number }> {
    const config = this.config;
    if (!config) return NO_OP;
    const windowMs = config.windowSeconds * 1000;
    for (;;) {
      const now = this.clock.now();
      const windowStart = now - (now % windowMs);
      const retryAfter = { retryAfter: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)) };
      const entry = this.entry(ip, windowStart);
      if (entry.failures >= config.maxFailures) return retryAfter;
      if (entry.failures + entry.inFlight >= config.maxFailures) {
        if (entry.waiting.length >= MAX_WAITING_PER_IP) return retryAfter;
        await new Promise<void>((wake) => entry.waiting.push(wake));
        continue;
      }
      entry.inFlight++; // reserved before anything is awaited
      if (this.shared && entry.failures > 0) {
        // Known to fail here: the budget it shares with the other processes decides.
        const total = await this.shared.hit(ip, windowStart, windowStart + windowMs).catch(() => 0);
        if (total > config.maxFailures) {
          this.settle(entry, false);
          return retryAfter;
        }
        return this.attempt(entry, ip, windowStart + windowMs, true);
      }
      return this.attempt(entry, ip, windowStart + windowMs, false);
    }
  }

  private attempt(entry: Entry, ip: string, expiresAt: number, sharedHit: boolean): Attempt {
    let settled = false;
    return {
      done: (failed) => {
        if (settled) return;
        settled = true;
        this.settle(entry, failed);
        if (!this.shared) return;
        // The shared counter holds failures only: record a new one, take back a reservation.
        if (failed && !sharedHit) void this.shared.hit(ip, entry.windowStart, expiresAt).catch(() => {});
        if (!failed && sharedHit) void this.shared.undo(ip, entry.windowStart).catch(() => {});
      },
    };
  }

  private settle(entry: Entry, failed: boolean): void {
    entry.inFlight--;
    if (failed) entry.failures++;
    // Everyone re-checks: a failure may have used up the budget, a success freed a turn.
    for (const wake of entry.waiting.splice(0)) wake();
  }

  private entry(ip: string, windowStart: number): Entry {
    let entry = this.entries.get(ip);
    if (!entry || entry.windowStart !== windowStart) {
      const waiting = entry?.waiting ?? [];
      entry = { windowStart, failures: 0, inFlight: 0, waiting: [] };
      for (const wake of waiting) wake(); // a new window: the waiters try again
      this.entries.delete(ip);
      this.entries.set(ip, entry);
      if (this.entries.size > MAX_TRACKED_IPS) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return entry;
  }
}

const NO_OP: Attempt = { done() {} };

/** Request fields a guesser could probe: card keys, statecodes, passwords, login tokens. */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'kami',
  'target_kami',
  'source_kami',
  'card',
  'statecode',
  'pass',
  'oldpass',
  'token',
]);

/**
 * T3 routes whose answers tell a guesser something: every catalogue endpoint that takes one of
 * SECRET_FIELDS, in its own request or a variant's (卡密不存在 answers whether a card exists,
 * 账号或密码错误 whether a password is right). Only failed attempts spend the budget.
 */
export const GUESSABLE_T3_ROUTES: ReadonlySet<string> = new Set(
  T3_CATALOGUE.endpoints
    .filter((e) =>
      [...e.request, ...(e.variants ?? []).flatMap((v) => v.request)].some((f) => SECRET_FIELDS.has(f.name)),
    )
    .map((e) => e.name),
);

/**
 * Routes where every attempt spends the budget, not only a failed one: each registration creates
 * an account, so one address registers at most `maxFailures` accounts per window.
 */
export const EVERY_ATTEMPT_COUNTS_T3_ROUTES: ReadonlySet<string> = new Set(['register']);
