import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HostRotation,
  type HttpRequest,
  KamiAbortError,
  KamiConnectionError,
  KamiTimeoutError,
} from '../src';
import { ok, scriptedTransport } from './fakes';

const A = 'http://a.test';
const B = 'http://b.test';
const C = 'http://c.test';
const build = (host: string): HttpRequest => ({
  method: 'POST',
  url: `${host}/813B2676E9690C89`,
  headers: {},
  body: 'x=1',
  timeoutMs: 1000,
});
const idem = { idempotent: true, maxRetries: 2 };
const once = { idempotent: false, maxRetries: 2 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Runs a send to completion, letting fake timers (backoff) fire. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const result = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return result;
}

describe('HostRotation: idempotent calls', () => {
  it.each([
    ['connect error', { error: 'connect' as const }],
    ['connection reset', { error: 'reset' as const }],
    ['timeout', { error: 'timeout' as const }],
    ['HTTP 408', ok('', 408)],
    ['HTTP 500', ok('', 500)],
    ['HTTP 502', ok('bad gateway', 502)],
    ['HTTP 503', ok('', 503)],
    ['HTTP 429', ok('', 429)],
  ])('moves to the next host on %s', async (_, failure) => {
    const fake = scriptedTransport({ [A]: [failure], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { value } = await settle(rotation.send(build, idem));
    expect(value?.status).toBe(200);
    expect(fake.hostsCalled()).toEqual([A, B]);
  });

  it.each([400, 401, 403, 404, 201])('does not fail over on HTTP %i (a real answer)', async (status) => {
    const fake = scriptedTransport({ [A]: [ok('', status)], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { value } = await settle(rotation.send(build, idem));
    expect(value?.status).toBe(status);
    expect(fake.hostsCalled()).toEqual([A]);
  });

  it('the host that answered becomes preferred and sticks', async () => {
    const fake = scriptedTransport({
      [A]: [{ error: 'connect' }],
      [B]: [ok({ code: 200 })],
      [C]: [ok({ code: 200 })],
    });
    const rotation = new HostRotation([A, B, C], fake.transport);
    await settle(rotation.send(build, idem));
    await settle(rotation.send(build, idem));
    await settle(rotation.send(build, once));
    expect(fake.hostsCalled()).toEqual([A, B, B, B]);
  });

  it('wraps around from the preferred host', async () => {
    const fake = scriptedTransport({
      [A]: [{ error: 'connect' }, ok({ code: 200 })],
      [B]: [{ error: 'connect' }],
      [C]: [ok({ code: 200 }), ok('', 503)],
    });
    const rotation = new HostRotation([A, B, C], fake.transport);
    await settle(rotation.send(build, idem)); // A ✗, B ✗, C ✓ → C preferred
    const { value } = await settle(rotation.send(build, idem)); // C 503, A ✓
    expect(value?.status).toBe(200);
    expect(fake.hostsCalled()).toEqual([A, B, C, C, A]);
  });

  it('retries whole rounds with backoff, then returns the last failing response', async () => {
    const fake = scriptedTransport({ [A]: [ok('', 503)], [B]: [ok('down', 502)] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { value } = await settle(rotation.send(build, { idempotent: true, maxRetries: 2 }));
    expect(fake.calls).toHaveLength(6);
    expect(value?.status).toBe(502);
    expect(value?.body).toBe('down');
  });

  it('retries, then throws the last connection error', async () => {
    const fake = scriptedTransport({ [A]: [{ error: 'connect' }], [B]: [{ error: 'timeout' }] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { error } = await settle(rotation.send(build, { idempotent: true, maxRetries: 1 }));
    expect(fake.calls).toHaveLength(4);
    expect(KamiTimeoutError.isInstance(error)).toBe(true);
  });

  it('recovers on a retry round', async () => {
    const fake = scriptedTransport({ [A]: [{ error: 'connect' }, ok({ code: 200 })] });
    const rotation = new HostRotation([A], fake.transport);
    const { value } = await settle(rotation.send(build, idem));
    expect(value?.status).toBe(200);
    expect(fake.calls).toHaveLength(2);
  });

  it('maxRetries 0 means one round', async () => {
    const fake = scriptedTransport({ [A]: [ok('', 500)], [B]: [ok('', 500)] });
    const rotation = new HostRotation([A, B], fake.transport);
    await settle(rotation.send(build, { idempotent: true, maxRetries: 0 }));
    expect(fake.calls).toHaveLength(2);
  });

  it.each([
    [0, 250, 500],
    [0.5, 375, 750],
  ])(
    'backs off between rounds with jitter (random %d → %i ms, then %i ms)',
    async (random, first, second) => {
      vi.spyOn(Math, 'random').mockReturnValue(random);
      const fake = scriptedTransport({
        [A]: [{ error: 'connect' }, { error: 'connect' }, ok({ code: 200 })],
      });
      const rotation = new HostRotation([A], fake.transport);
      const pending = rotation.send(build, idem);
      await vi.advanceTimersByTimeAsync(0);
      expect(fake.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(first - 1);
      expect(fake.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(fake.calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(second - 1);
      expect(fake.calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(fake.calls).toHaveLength(3);
      expect((await pending).status).toBe(200);
    },
  );

  it('backoff is capped at 8 s', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    const fake = scriptedTransport({ [A]: [{ error: 'connect' }] });
    const rotation = new HostRotation([A], fake.transport);
    const pending = settle(rotation.send(build, { idempotent: true, maxRetries: 7 }));
    const start = Date.now();
    await pending;
    // Rounds 1..7: caps 500, 1000, 2000, 4000, 8000, 8000, 8000 (jitter ~ full cap).
    expect(Date.now() - start).toBeLessThanOrEqual(500 + 1000 + 2000 + 4000 + 8000 * 3);
    expect(Date.now() - start).toBeGreaterThan(500 + 1000 + 2000 + 4000 + 8000 * 3 - 10);
    expect(fake.calls).toHaveLength(8);
  });

  it('honours Retry-After of a 429 when under a minute', async () => {
    const fake = scriptedTransport({ [A]: [ok('', 429, { 'retry-after': '3' }), ok({ code: 200 })] });
    const rotation = new HostRotation([A], fake.transport);
    const pending = rotation.send(build, idem);
    await vi.advanceTimersByTimeAsync(2999);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toHaveLength(2);
    expect((await pending).status).toBe(200);
  });

  it('a transport bug (non-Kami error) is rethrown at once', async () => {
    const fake = scriptedTransport({ [A]: [{ error: 'other' }], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { error } = await settle(rotation.send(build, idem));
    expect(error).toBeInstanceOf(TypeError);
    expect(fake.calls).toHaveLength(1);
  });
});

describe('HostRotation: non-idempotent calls (login, unbind, card creation)', () => {
  it.each([
    ['connection reset (may have reached the server)', { error: 'reset' as const }],
    ['timeout', { error: 'timeout' as const }],
  ])('is never resent after a %s', async (_, failure) => {
    const fake = scriptedTransport({ [A]: [failure], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { error } = await settle(rotation.send(build, once));
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect(fake.hostsCalled()).toEqual([A]);
  });

  it.each([500, 502, 503, 429])('is never resent after HTTP %i: the answer is returned', async (status) => {
    const fake = scriptedTransport({ [A]: [ok('', status)], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { value } = await settle(rotation.send(build, once));
    expect(value?.status).toBe(status);
    expect(fake.hostsCalled()).toEqual([A]);
  });

  it('moves on after a connect-phase failure (the request never left)', async () => {
    const fake = scriptedTransport({ [A]: [{ error: 'connect' }], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { value } = await settle(rotation.send(build, once));
    expect(value?.status).toBe(200);
    expect(fake.hostsCalled()).toEqual([A, B]);
  });

  it('moves on after a 408 (the server says it did not process it)', async () => {
    const fake = scriptedTransport({ [A]: [ok('', 408)], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { value } = await settle(rotation.send(build, once));
    expect(value?.status).toBe(200);
    expect(fake.hostsCalled()).toEqual([A, B]);
  });

  it('a connect failure then a reset stops there', async () => {
    const fake = scriptedTransport({
      [A]: [{ error: 'connect' }],
      [B]: [{ error: 'reset' }],
      [C]: [ok({ code: 200 })],
    });
    const rotation = new HostRotation([A, B, C], fake.transport);
    const { error } = await settle(rotation.send(build, once));
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect(fake.hostsCalled()).toEqual([A, B]);
  });

  it('never runs retry rounds, even when every host refused the connection', async () => {
    const fake = scriptedTransport({ [A]: [{ error: 'connect' }], [B]: [{ error: 'connect' }] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { error } = await settle(rotation.send(build, once));
    expect((error as KamiConnectionError).phase).toBe('connect');
    expect(fake.calls).toHaveLength(2);
  });
});

describe('HostRotation: abort', () => {
  it('an abort from the transport stops everything', async () => {
    const fake = scriptedTransport({ [A]: [{ error: 'abort' }], [B]: [ok({ code: 200 })] });
    const rotation = new HostRotation([A, B], fake.transport);
    const { error } = await settle(rotation.send(build, idem));
    expect(KamiAbortError.isInstance(error)).toBe(true);
    expect(fake.calls).toHaveLength(1);
  });

  it('aborting during the backoff rejects with KamiAbortError and sends nothing more', async () => {
    const fake = scriptedTransport({ [A]: [ok('', 503)] });
    const rotation = new HostRotation([A], fake.transport);
    const controller = new AbortController();
    const pending = rotation.send(build, { ...idem, signal: controller.signal }).then(
      () => ({ error: undefined }),
      (error: unknown) => ({ error }),
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(fake.calls).toHaveLength(1);
    controller.abort(new Error('user cancelled'));
    const { error } = await pending;
    expect(KamiAbortError.isInstance(error)).toBe(true);
    expect((error as KamiAbortError).cause).toBeInstanceOf(Error);
    expect(fake.calls).toHaveLength(1);
  });

  it('an already-aborted signal stops before the retry round', async () => {
    const fake = scriptedTransport({ [A]: [ok('', 503)] });
    const rotation = new HostRotation([A], fake.transport);
    const { error } = await settle(rotation.send(build, { ...idem, signal: AbortSignal.abort() }));
    expect(KamiAbortError.isInstance(error)).toBe(true);
    expect(fake.calls).toHaveLength(1);
  });
});
