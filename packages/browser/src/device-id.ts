import { bytesToHex, KamiValidationError } from '@kami-verify/core';

/** The part of the Web Storage API we use; `localStorage`, `sessionStorage` or your own. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface DeviceIdOptions {
  /**
   * Where the id is kept. Default `globalThis.localStorage` (when the page may use it).
   * Pass `null` to keep it in memory only (a new id per page load).
   */
  storage?: StorageLike | null;
  /** Storage key. Default `'kami-verify:device-id'`. */
  key?: string;
  /** Use this id instead (e.g. one your backend assigned). It is validated, not stored. */
  override?: string;
}

export const DEFAULT_DEVICE_ID_KEY = 'kami-verify:device-id';

// Fallback when storage is missing or throws (Safari private mode, blocked cookies, sandboxed
// iframes): the id then lives as long as the page, which is the best a page can do.
const memory = new Map<string, string>();

/** What we accept from storage or `override`: the protocol only forbids `'` (机器码不合法,因为存在'号). */
function isUsable(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 128 && !value.includes("'");
}

function defaultStorage(): StorageLike | null {
  try {
    // Reading `localStorage` itself throws a SecurityError where storage is blocked.
    return (globalThis as { localStorage?: StorageLike }).localStorage ?? null;
  } catch {
    return null;
  }
}

/** 32 uppercase hex characters, like the official SDKs' md5-of-MAC machine codes. */
function randomId(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(16)), true);
}

/**
 * A stable machine code (`imei`) for this browser profile. Browsers expose no hardware id, so
 * this is a random id persisted in `localStorage`: it survives reloads, and it changes when the
 * user clears site data (the card then needs an unbind, like a new machine).
 */
export function getDeviceId(options: DeviceIdOptions = {}): string {
  if (options.override !== undefined) {
    if (!isUsable(options.override)) {
      throw new KamiValidationError(
        'override',
        "override must be 1–128 characters without ' (机器码不合法,因为存在'号)",
      );
    }
    return options.override;
  }
  const key = options.key ?? DEFAULT_DEVICE_ID_KEY;
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  let stored: string | null = null;
  try {
    stored = storage?.getItem(key) ?? null;
  } catch {
    // Unreadable storage: fall through to memory.
  }
  if (isUsable(stored)) {
    memory.set(key, stored);
    return stored;
  }
  const id = memory.get(key) ?? randomId();
  memory.set(key, id);
  try {
    storage?.setItem(key, id);
  } catch {
    // Quota exceeded / private mode: the in-memory copy keeps the id stable for this page.
  }
  return id;
}
