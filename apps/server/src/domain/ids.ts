// Identifiers: snowflake ids (strings: they exceed 2^53), card strings, 调用码 and app secrets.
// Everything random comes from node:crypto's CSPRNG.
import { randomBytes, randomInt } from 'node:crypto';

/**
 * The epoch the seed's ids decode to: 783556860021596160 >> 22 = createdDate − 1489111610226.
 * Using it makes our ids look and decode like the hosted service's.
 */
export const SNOWFLAKE_EPOCH_MS = 1_489_111_610_226;
const WORKER_BITS = 10n;
const SEQUENCE_BITS = 12n;
const MAX_SEQUENCE = (1 << Number(SEQUENCE_BITS)) - 1;

export interface SnowflakeGenerator {
  next(): string;
}

/**
 * 41-bit ms time | 10-bit worker | 12-bit sequence, strictly increasing per generator.
 * When the clock stands still (a fake clock) or steps back, or 4096 ids were taken in one ms,
 * the generator borrows the next millisecond instead of waiting: ids stay unique and ordered.
 */
export function createSnowflake(nowMs: () => number, workerId: number = randomInt(1024)): SnowflakeGenerator {
  if (!Number.isInteger(workerId) || workerId < 0 || workerId > 1023)
    throw new RangeError('workerId must be 0..1023');
  const worker = BigInt(workerId) << SEQUENCE_BITS;
  let lastMs = -1;
  let sequence = 0;
  return {
    next() {
      const now = Math.max(0, Math.floor(nowMs()) - SNOWFLAKE_EPOCH_MS);
      if (now > lastMs) {
        lastMs = now;
        sequence = 0;
      } else if (sequence < MAX_SEQUENCE) {
        sequence++;
      } else {
        lastMs++;
        sequence = 0;
      }
      return ((BigInt(lastMs) << (WORKER_BITS + SEQUENCE_BITS)) | worker | BigInt(sequence)).toString();
    },
  };
}

/** A card string: 32 uppercase hex characters (128 random bits). */
export function newCardStr(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** `count` card strings from one randomBytes call (bulk generation). */
export function newCardStrs(count: number): string[] {
  const hex = randomBytes(16 * count)
    .toString('hex')
    .toUpperCase();
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = hex.slice(i * 32, i * 32 + 32);
  return out;
}

/** A 调用码: 16 uppercase hex characters. */
export function newRouteCode(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** An APPKEY (signs requests and tokens): 32 lowercase hex, 128 bits. */
export function newAppKey(): string {
  return randomBytes(16).toString('hex');
}

/** A potatocloud askKey: 32 lowercase hex, 128 bits. */
export function newAskKey(): string {
  return randomBytes(16).toString('hex');
}

/** A potatocloud apiUserToken: 64 lowercase hex, 256 bits. */
export function newUserToken(): string {
  return randomBytes(32).toString('hex');
}
