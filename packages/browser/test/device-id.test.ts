import { describe, expect, it } from 'vitest';
import { DEFAULT_DEVICE_ID_KEY, getDeviceId, type StorageLike } from '../src/device-id';

/** An in-memory Storage; `fail` makes reads and/or writes throw like Safari private mode. */
function fakeStorage(fail: { get?: boolean; set?: boolean } = {}) {
  const data = new Map<string, string>();
  const storage: StorageLike & { data: Map<string, string> } = {
    data,
    getItem(key) {
      if (fail.get) throw new DOMException('denied', 'SecurityError');
      return data.get(key) ?? null;
    },
    setItem(key, value) {
      if (fail.set) throw new DOMException('quota', 'QuotaExceededError');
      data.set(key, value);
    },
  };
  return storage;
}

let n = 0;
const uniqueKey = () => `test-key-${n++}`;

describe('getDeviceId', () => {
  it('creates a 32-hex id and persists it under the default key', () => {
    const storage = fakeStorage();
    const id = getDeviceId({ storage });
    expect(id).toMatch(/^[0-9A-F]{32}$/);
    expect(storage.data.get(DEFAULT_DEVICE_ID_KEY)).toBe(id);
  });

  it('returns the same id after a "reload" (a new call reading the same storage)', () => {
    const storage = fakeStorage();
    const key = uniqueKey();
    const first = getDeviceId({ storage, key });
    // Another page load would start with empty module state but the same storage contents.
    const reloaded = fakeStorage();
    reloaded.data.set(key, storage.data.get(key)!);
    expect(getDeviceId({ storage: reloaded, key })).toBe(first);
  });

  it('keeps ids of different keys apart', () => {
    const storage = fakeStorage();
    expect(getDeviceId({ storage, key: uniqueKey() })).not.toBe(getDeviceId({ storage, key: uniqueKey() }));
  });

  it('ids are random', () => {
    const ids = new Set(
      Array.from({ length: 50 }, () => getDeviceId({ storage: fakeStorage(), key: uniqueKey() })),
    );
    expect(ids.size).toBe(50);
  });

  it('falls back to memory when writes throw (Safari private mode) and stays stable', () => {
    const storage = fakeStorage({ set: true });
    const key = uniqueKey();
    const id = getDeviceId({ storage, key });
    expect(id).toMatch(/^[0-9A-F]{32}$/);
    expect(getDeviceId({ storage, key })).toBe(id);
  });

  it('falls back to memory when reads throw (storage blocked)', () => {
    const storage = fakeStorage({ get: true, set: true });
    const key = uniqueKey();
    expect(getDeviceId({ storage, key })).toBe(getDeviceId({ storage, key }));
  });

  it('works with storage: null and without any localStorage global', () => {
    const key = uniqueKey();
    expect(getDeviceId({ storage: null, key })).toBe(getDeviceId({ storage: null, key }));
    expect(getDeviceId({ key: uniqueKey() })).toMatch(/^[0-9A-F]{32}$/);
  });

  it("replaces a stored value containing ' (the server would refuse it)", () => {
    const storage = fakeStorage();
    const key = uniqueKey();
    storage.data.set(key, "bad'id");
    const id = getDeviceId({ storage, key });
    expect(id).not.toContain("'");
    expect(storage.data.get(key)).toBe(id);
  });

  it('keeps a valid id written by an older version', () => {
    const storage = fakeStorage();
    const key = uniqueKey();
    storage.data.set(key, 'legacy-id-123');
    expect(getDeviceId({ storage, key })).toBe('legacy-id-123');
  });

  it("returns a valid override and rejects one containing '", () => {
    expect(getDeviceId({ override: 'MY-DEVICE' })).toBe('MY-DEVICE');
    expect(() => getDeviceId({ override: "a'b" })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => getDeviceId({ override: '' })).toThrow(/override/);
  });
});
