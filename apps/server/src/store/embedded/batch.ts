// One group-commit batch of the embedded store: every change gathered while the previous batch
// was being written, persisted together in one statement.
import type { CardRecord } from '../records';
import type { NewCard, SessionRecord } from '../storage';

export class Batch {
  /** Latest state per card id. */
  readonly cards = new Map<string, CardRecord>();
  /** Final state per statecode: a session to upsert, or null to delete. */
  readonly sessions = new Map<string, SessionRecord | null>();
  /** New cards; the ids of those actually inserted are collected in `inserted`. */
  readonly newCards: NewCard[] = [];
  inserted = new Set<string>();
  /** A request waits for this batch (commit() was called): flush it as soon as possible. */
  awaited = false;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may be waiting (e.g. a batch of lazy renewals only); never an unhandled rejection.
    this.done.catch(() => {});
  }
  get empty(): boolean {
    return this.cards.size === 0 && this.sessions.size === 0 && this.newCards.length === 0;
  }
}

/** Thrown to the requests whose changes were rolled back because a flush failed. */
export class FlushFailedError extends Error {
  constructor(cause: unknown) {
    super(
      `the embedded store failed to persist a batch: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'FlushFailedError';
  }
}
