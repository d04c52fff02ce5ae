// The PostgreSQL adapter's batched statements: concurrent logins' guarded writes, cold cards'
// reads and heartbeats' reads, each gathered into one statement per batch (store/coalescer.ts).
// Under load a statement carries many requests for the price of one round trip and one commit;
// alone, a request waits only for the rest of the current event-loop turn.
import { Coalescer } from './coalescer';
import { type GuardedCardWrite, type GuardedWrite, writeGuardedBatch } from './sql/card-write-batch';
import { selectVersionedCards, type VersionedCardRow } from './sql/cards';
import { type SessionCard, type SessionCardQuery, selectSessionCards } from './sql/session-cards';
import { type Database, DatabaseUnavailableError } from './types';

/** How the adapter gathers operations into statements. */
export interface BatchingOptions {
  /** Statements of one kind running at once; default KAMI_PG_BATCH_IN_FLIGHT, else 2. */
  maxInFlight?: number;
  /** Operations per statement at most; default 256. 1 turns batching off. */
  maxBatch?: number;
}

function batching(options: BatchingOptions = {}, env: NodeJS.ProcessEnv = process.env) {
  const fromEnv = Number(env.KAMI_PG_BATCH_IN_FLIGHT);
  return {
    maxInFlight: options.maxInFlight ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 2),
    maxBatch: options.maxBatch ?? 256,
  };
}

export interface PostgresBatches {
  /** Guarded card writes (one per card per statement). */
  writes: Coalescer<GuardedCardWrite, GuardedWrite>;
  /** Cards by key, with their tuple versions. */
  cardReads: Coalescer<{ appId: string; cardStr: string }, VersionedCardRow | undefined>;
  /** Live sessions by statecode, with their cards as committed. */
  sessionCards: Coalescer<SessionCardQuery, SessionCard | undefined>;
}

export function postgresBatches(db: Database, options?: BatchingOptions): PostgresBatches {
  const settings = batching(options);
  return {
    writes: new Coalescer(
      async (items) => {
        try {
          return await writeGuardedBatch(db, items);
        } catch (error) {
          // A batch failing as a whole for another reason than the database being away (a
          // deadlock with another process's batch, say) is written again card by card, so each
          // write gets its own answer.
          if (items.length === 1 || error instanceof DatabaseUnavailableError) throw error;
          return Promise.all(
            items.map(async (item) => (await writeGuardedBatch(db, [item]))[0] as GuardedWrite),
          );
        }
      },
      { ...settings, key: (w) => w.guard.id },
    ),
    cardReads: new Coalescer((keys) => selectVersionedCards(db, keys), settings),
    sessionCards: new Coalescer((queries) => selectSessionCards(db, queries), settings),
  };
}
