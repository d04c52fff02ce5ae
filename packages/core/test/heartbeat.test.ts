import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelayMs,
  DEFINITIVE_HEARTBEAT_CODES,
  HEARTBEAT_DEFAULTS,
  type HeartbeatClient,
  HeartbeatLoop,
  type HeartbeatPlatform,
  type HeartbeatResult,
  isDefinitiveHeartbeatError,
  KamiAbortError,
  KamiApiError,
  KamiConnectionError,
  type KamiError,
  type KamiErrorCode,
  KamiRateLimitError,
  KamiResponseError,
  KamiValidationError,
  KamiVerificationError,
  type LoginResult,
  startHeartbeatLoop,
  TypedEmitter,
} from '../src';

// The loop runs on the hooks it is given: these tests drive it with a hand-made clock and timer
// queue (no real sleeping, no global fake timers) — the platform SDKs plug in real ones.

const OK: HeartbeatResult = { msg: '在线', time: 0, date: '', raw: {} };
const api = (code: KamiErrorCode, httpStatus = 200) =>
  new KamiApiError(code, code, { httpStatus, serverCode: '201' });
const net = () => new KamiConnectionError('连接错误: ECONNREFUSED', { phase: 'connect' });

/** A monotonic clock and a timer queue that only move when the test says so. */
function fakePlatform(extra: HeartbeatPlatform = {}) {
  let now = 0;
  let ids = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  const platform = {
    setTimer: vi.fn((fn: () => void, ms: number) => {
      timers.set(++ids, { at: now + ms, fn });
      return ids;
    }),
    clearTimer: vi.fn((id: unknown) => {
      timers.delete(id as number);
    }),
    now: () => now,
    ...extra,
  } satisfies HeartbeatPlatform;
  return {
    platform,
    timers,
    get now() {
      return now;
    },
    /** Moves the clock without running timers (a suspended machine, a throttled tab). */
    jump(ms: number) {
      now += ms;
    },
    /** Runs every timer due within `ms`, in order, letting the loop react after each. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await settle();
        const due = [...timers]
          .filter(([, t]) => t.at <= end)
          .sort(([a, x], [b, y]) => x.at - y.at || a - b)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = end;
      await settle();
    },
  };
}

type Step = 'ok' | 'hang' | Error;

/** A client that plays `steps` in order (then `ok` forever) and records each call's time. */
function fakeClient(clock: { now: number }, steps: Step[] = []) {
  const calls: Array<{
    statecode: string;
    kami?: string;
    at: number;
    signal?: AbortSignal;
    timeoutMs?: number;
  }> = [];
  const client = {
    calls,
    heartbeat: vi.fn(
      async (statecode: string, call?: { kami?: string; signal?: AbortSignal; timeoutMs?: number }) => {
        calls.push({
          statecode,
          kami: call?.kami,
          at: clock.now,
          signal: call?.signal,
          timeoutMs: call?.timeoutMs,
        });
        const step = steps.shift() ?? 'ok';
        if (step instanceof Error) throw step;
        // A call that never answers: only the loop's signal ends it.
        if (step === 'hang') await aborted(call?.signal);
        return OK;
      },
    ),
  } satisfies HeartbeatClient & { calls: unknown };
  return client;
}

function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) =>
    signal?.addEventListener('abort', () => reject(new KamiAbortError())),
  );
}

function record(loop: HeartbeatLoop, clock: { now: number }) {
  const events: Array<{ type: string; at: number; code?: string; info?: unknown }> = [];
  loop.on('beat', (_r, info) => events.push({ type: 'beat', at: clock.now, info }));
  loop.on('error', (e, info) => events.push({ type: 'error', at: clock.now, code: e.code, info }));
  loop.on('lost', (e, info) => events.push({ type: 'lost', at: clock.now, code: e.code, info }));
  loop.on('relogin', (login) => events.push({ type: 'relogin', at: clock.now, info: login.statecode }));
  return events;
}

const session = { statecode: 'SC0', kami: 'CARD' };
const noJitter = { random: () => 0 };

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('heartbeat policy', () => {
  it('DEFINITIVE_HEARTBEAT_CODES and isDefinitiveHeartbeatError: refusals end the session, the rest is retried', () => {
    expect(DEFINITIVE_HEARTBEAT_CODES.has('STATECODE_NOT_FOUND')).toBe(true);
    expect(DEFINITIVE_HEARTBEAT_CODES.has('TIMESTAMP_INVALID')).toBe(false);
    for (const code of DEFINITIVE_HEARTBEAT_CODES) expect(isDefinitiveHeartbeatError(api(code))).toBe(true);
    expect(isDefinitiveHeartbeatError(api('CARD_EXPIRED', 503))).toBe(false);
    expect(isDefinitiveHeartbeatError(api('CARD_EXPIRED', 408))).toBe(false);
    expect(isDefinitiveHeartbeatError(api('TIMESTAMP_INVALID'))).toBe(false);
    expect(isDefinitiveHeartbeatError(api('UNKNOWN_SERVER_ERROR'))).toBe(false);
    expect(isDefinitiveHeartbeatError(new KamiRateLimitError('请求过于频繁', { httpStatus: 429 }))).toBe(
      false,
    );
    expect(isDefinitiveHeartbeatError(net())).toBe(false);
    expect(isDefinitiveHeartbeatError(new KamiResponseError('RESPONSE_INVALID_JSON', 'x'))).toBe(false);
    expect(isDefinitiveHeartbeatError(new KamiVerificationError('CLOCK_SKEW', '时间戳校验失败'))).toBe(true);
    expect(isDefinitiveHeartbeatError(new KamiValidationError('statecode', 'bad'))).toBe(true);
  });

  it('backoffDelayMs: exponential with equal jitter, capped, honouring a longer Retry-After', () => {
    const policy = (random: number) => ({ initialMs: 1_000, maxMs: 8_000, random: () => random });
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, net(), policy(1)))).toEqual([
      1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, net(), policy(0)))).toEqual([
      500, 1_000, 2_000, 4_000, 4_000,
    ]);
    expect(backoffDelayMs(0, net(), policy(1))).toBe(1_000);
    const limited = (retryAfterMs?: number) =>
      new KamiRateLimitError('请求过于频繁', { httpStatus: 429, retryAfterMs });
    expect(backoffDelayMs(1, limited(20_000), policy(1))).toBe(20_000);
    expect(backoffDelayMs(1, limited(10), policy(1))).toBe(1_000);
    expect(backoffDelayMs(1, limited(), policy(1))).toBe(1_000);
  });

  it('HEARTBEAT_DEFAULTS are the loop’s defaults', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock, [net()]);
    const loop = new HeartbeatLoop(client, session, { random: () => 1 }, clock.platform);
    expect(HEARTBEAT_DEFAULTS).toEqual({ intervalMs: 30_000, initialBackoffMs: 1_000, intervalJitter: 0.1 });
    expect([loop.intervalMs, loop.validityMs]).toEqual([
      HEARTBEAT_DEFAULTS.intervalMs,
      2 * HEARTBEAT_DEFAULTS.intervalMs,
    ]);
    const events = record(loop, clock);
    await clock.advance(HEARTBEAT_DEFAULTS.intervalMs);
    // Jitter: with random() = 1 the beat comes the full fraction early.
    expect(client.calls[0]!.at).toBe(HEARTBEAT_DEFAULTS.intervalMs * (1 - HEARTBEAT_DEFAULTS.intervalJitter));
    expect(events[0]).toMatchObject({
      type: 'error',
      info: { retryInMs: HEARTBEAT_DEFAULTS.initialBackoffMs },
    });
    await loop.stop();
  });
});

describe('TypedEmitter', () => {
  class Emitter extends TypedEmitter<{ ping: (n: number) => void; pong: () => void }> {
    fire(n: number) {
      this.emit('ping', n);
    }
  }

  it('on, once, off and listenerCount', () => {
    const emitter = new Emitter(() => {});
    const seen: string[] = [];
    const removed = vi.fn();
    const onceOnly = (n: number) => seen.push(`once ${n}`);
    emitter
      .on('ping', (n) => seen.push(`on ${n}`))
      .once('ping', onceOnly)
      .on('ping', removed)
      .off('ping', removed)
      .off('pong', vi.fn());
    expect(emitter.listenerCount('ping')).toBe(2);
    expect(emitter.listenerCount('pong')).toBe(0);
    emitter.fire(1);
    emitter.fire(2);
    expect(seen).toEqual(['on 1', 'once 1', 'on 2']);
    expect(removed).not.toHaveBeenCalled();
    expect(emitter.listenerCount('ping')).toBe(1);
  });

  it('a throwing listener stops neither the others nor the caller; its error goes to reportError', () => {
    const reported: unknown[] = [];
    const emitter = new Emitter((error) => reported.push(error));
    const bug = new Error('listener bug');
    const after = vi.fn();
    emitter.on('ping', () => {
      throw bug;
    });
    emitter.on('ping', after);
    expect(() => emitter.fire(1)).not.toThrow();
    expect(after).toHaveBeenCalledWith(1);
    expect(reported).toEqual([bug]);
  });

  it('by default rethrows a listener error in a microtask', () => {
    const thrown: unknown[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
      try {
        fn();
      } catch (error) {
        thrown.push(error);
      }
    });
    const emitter = new Emitter();
    emitter.on('ping', () => {
      throw new Error('listener bug');
    });
    expect(() => emitter.fire(1)).not.toThrow();
    expect(thrown).toEqual([new Error('listener bug')]);
  });
});

describe('HeartbeatLoop on injected hooks', () => {
  it('beats on the platform timers at half the validity, sending statecode, card and timeout', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock);
    const loop = startHeartbeatLoop(
      client,
      session,
      { validitySeconds: 20, timeoutMs: 5_000, ...noJitter },
      clock.platform,
    );
    expect(loop).toBeInstanceOf(HeartbeatLoop);
    const events = record(loop, clock);
    await clock.advance(9_999);
    expect(client.calls).toHaveLength(0);
    await clock.advance(20_001);
    expect(client.calls.map((c) => c.at)).toEqual([10_000, 20_000, 30_000]);
    expect(client.calls[0]).toMatchObject({ statecode: 'SC0', kami: 'CARD', timeoutMs: 5_000 });
    expect(events.map((e) => e.info)).toEqual([
      { count: 1, statecode: 'SC0', nextInMs: 10_000 },
      { count: 2, statecode: 'SC0', nextInMs: 10_000 },
      { count: 3, statecode: 'SC0', nextInMs: 10_000 },
    ]);
    expect(loop.beats).toBe(3);
    expect(typeof loop.lastBeatAt).toBe('number');
    expect(clock.platform.setTimer).toHaveBeenCalled();
    await loop.stop();
    expect(clock.timers.size).toBe(0);
  });

  it('`immediate` beats in the next microtask, without a timer; `sendKami: false` leaves the card out', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock);
    const loop = startHeartbeatLoop(client, session, { immediate: true, sendKami: false }, clock.platform);
    expect(client.calls).toHaveLength(0);
    await Promise.resolve();
    expect(client.calls).toEqual([expect.objectContaining({ at: 0, kami: undefined })]);
    await loop.stop();
  });

  it('validates client, session and timing', () => {
    const clock = fakePlatform();
    const client = fakeClient(clock);
    const bad: Array<[unknown, unknown, object, string]> = [
      [{}, session, {}, 'client'],
      [client, { statecode: '' }, {}, 'statecode'],
      [client, undefined, {}, 'statecode'],
      [client, session, { validitySeconds: 0 }, 'validitySeconds'],
      [client, session, { validitySeconds: Number.NaN }, 'validitySeconds'],
      [client, session, { intervalMs: -1 }, 'intervalMs'],
      [client, session, { intervalMs: Number.POSITIVE_INFINITY }, 'intervalMs'],
      [client, session, { intervalMs: 60_000, validitySeconds: 60 }, 'intervalMs'],
    ];
    for (const [c, s, options, field] of bad) {
      const build = () =>
        new HeartbeatLoop(c as HeartbeatClient, s as typeof session, options, clock.platform);
      expect(build).toThrow(KamiValidationError);
      try {
        build();
      } catch (error) {
        expect((error as KamiValidationError).field).toBe(field);
      }
    }
    expect(() => new HeartbeatLoop(client, session, { intervalMs: 60_000, validitySeconds: 60 })).toThrow(
      /below the statecode validity/,
    );
    expect(clock.timers.size).toBe(0);
  });

  it('reports lostInMs and retryInMs in whole milliseconds on a fractional clock', async () => {
    const clock = fakePlatform();
    let offset = 0;
    const platform = { ...clock.platform, now: () => clock.now + offset };
    const client = fakeClient(clock, Array.from({ length: 50 }, net));
    const loop = startHeartbeatLoop(client, session, { validitySeconds: 20, ...noJitter }, platform);
    const events = record(loop, clock);
    offset = 0.3; // like performance.now(): sub-millisecond readings after the window opened
    await clock.advance(25_000);
    const errors = events
      .filter((e) => e.type === 'error')
      .map((e) => e.info as { lostInMs: number; retryInMs: number });
    expect(errors.length).toBeGreaterThan(2);
    for (const info of errors) {
      expect(Number.isInteger(info.lostInMs), String(info.lostInMs)).toBe(true);
      expect(Number.isInteger(info.retryInMs), String(info.retryInMs)).toBe(true);
    }
  });

  it('retries transient failures with backoff, clamped to the time left, then declares an outage', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock, Array.from({ length: 50 }, net));
    const loop = startHeartbeatLoop(client, session, { validitySeconds: 20, ...noJitter }, clock.platform);
    const events = record(loop, clock);
    await clock.advance(25_000);
    const errors = events.filter((e) => e.type === 'error').map((e) => e.info);
    expect(errors.slice(0, 3)).toEqual([
      { attempt: 1, retryInMs: 500, lostInMs: 10_000 },
      { attempt: 2, retryInMs: 1_000, lostInMs: 9_500 },
      { attempt: 3, retryInMs: 2_000, lostInMs: 8_500 },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'lost',
      code: 'NETWORK_ERROR',
      at: 20_000,
      info: { reason: 'outage' },
    });
    expect(client.calls.every((c) => c.at < 20_000)).toBe(true);
    expect(await loop.stopped).toMatchObject({ reason: 'lost', lostReason: 'outage', beats: 0 });
    expect(loop.state).toBe('lost');
    expect(clock.timers.size).toBe(0);
  });

  it('cuts off a call still running when the validity ends (TIMEOUT outage)', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock, ['hang']);
    const loop = startHeartbeatLoop(client, session, { validitySeconds: 20, ...noJitter }, clock.platform);
    const events = record(loop, clock);
    await clock.advance(20_000);
    expect(client.calls[0]!.signal!.aborted).toBe(true);
    expect(events).toEqual([expect.objectContaining({ type: 'lost', code: 'TIMEOUT', at: 20_000 })]);
  });

  it('a definitive refusal ends the session at once (`isDefinitive` overrides the classification)', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock, [api('CARD_EXPIRED')]);
    const loop = startHeartbeatLoop(client, session, noJitter, clock.platform);
    await clock.advance(30_000);
    expect(await loop.stopped).toMatchObject({
      reason: 'lost',
      lostReason: 'rejected',
      error: { code: 'CARD_EXPIRED' },
    });
    const strict = startHeartbeatLoop(
      fakeClient(clock, [net()]),
      session,
      { ...noJitter, isDefinitive: () => true },
      clock.platform,
    );
    await clock.advance(30_000);
    expect((await strict.stopped).error?.code).toBe('NETWORK_ERROR');
  });

  it('treats a non-Kami throw as transient and wraps it', async () => {
    const clock = fakePlatform();
    const loop = startHeartbeatLoop(
      fakeClient(clock, [new TypeError('boom')]),
      session,
      noJitter,
      clock.platform,
    );
    const events = record(loop, clock);
    await clock.advance(30_500);
    expect(events.map((e) => [e.type, e.code])).toEqual([
      ['error', 'NETWORK_ERROR'],
      ['beat', undefined],
    ]);
    await loop.stop();
  });

  it('after a clock jump past the validity with no failed attempt, it asks the server instead of declaring an outage', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock, [net(), 'ok']);
    const loop = startHeartbeatLoop(client, session, { validitySeconds: 20, ...noJitter }, clock.platform);
    const events = record(loop, clock);
    clock.jump(3_600_000);
    await clock.advance(10_400);
    expect(events.map((e) => e.type)).toEqual(['error', 'beat']);
    expect(loop.state).toBe('running');
    await loop.stop();
  });

  it('stop() aborts the call in flight, clears its timers, emits nothing more and is idempotent', async () => {
    const clock = fakePlatform();
    const client = fakeClient(clock, ['hang']);
    const loop = startHeartbeatLoop(client, session, noJitter, clock.platform);
    const events = record(loop, clock);
    await clock.advance(30_000);
    const end = await loop.stop();
    expect(end).toEqual({ reason: 'stopped', beats: 0 });
    expect(client.calls[0]!.signal!.aborted).toBe(true);
    await clock.advance(0);
    expect(clock.timers.size).toBe(0);
    await clock.advance(120_000);
    expect(events).toEqual([]);
    expect(await loop.stop()).toBe(end);
  });

  it('a signal stops it (`aborted`), also one that had fired; so does an abort from the client', async () => {
    const clock = fakePlatform();
    const controller = new AbortController();
    const loop = startHeartbeatLoop(
      fakeClient(clock),
      session,
      { signal: controller.signal },
      clock.platform,
    );
    controller.abort();
    expect(await loop.stopped).toEqual({ reason: 'aborted', beats: 0 });
    const early = startHeartbeatLoop(
      fakeClient(clock),
      session,
      { signal: AbortSignal.abort() },
      clock.platform,
    );
    expect((await early.stopped).reason).toBe('aborted');
    const aborted = startHeartbeatLoop(
      fakeClient(clock, [new KamiAbortError()]),
      session,
      noJitter,
      clock.platform,
    );
    await clock.advance(30_000);
    expect((await aborted.stopped).reason).toBe('aborted');
  });

  it('listener errors go to the platform’s reportError without breaking the loop', async () => {
    const reportError = vi.fn();
    const clock = fakePlatform({ reportError });
    const loop = startHeartbeatLoop(fakeClient(clock), session, noJitter, clock.platform);
    loop.on('beat', () => {
      throw new Error('listener bug');
    });
    await clock.advance(60_000);
    expect(loop.beats).toBe(2);
    expect(reportError).toHaveBeenCalledTimes(2);
    await loop.stop();
  });

  it('onVisible: beats at once when the last contact is older than the interval, and unsubscribes at the end', async () => {
    let visible: (() => void) | undefined;
    const unsubscribe = vi.fn();
    const clock = fakePlatform({
      onVisible: (callback) => {
        visible = callback;
        return unsubscribe;
      },
    });
    const client = fakeClient(clock);
    const wall = vi.spyOn(Date, 'now');
    wall.mockReturnValue(1_000_000);
    const loop = startHeartbeatLoop(client, session, { validitySeconds: 600, ...noJitter }, clock.platform);
    // Recent contact: nothing happens.
    wall.mockReturnValue(1_000_000 + 299_999);
    visible!();
    await clock.advance(0);
    expect(client.calls).toHaveLength(0);
    // The timers were held back while wall time moved on past the interval.
    wall.mockReturnValue(1_000_000 + 300_000);
    visible!();
    await clock.advance(0);
    expect(client.calls).toHaveLength(1);
    expect(loop.lastBeatAt).toBe(1_300_000);
    // Counted from that beat now.
    visible!();
    await clock.advance(0);
    expect(client.calls).toHaveLength(1);
    await loop.stop();
    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it('the relogin hook reopens a refused session, then beats with the new statecode', async () => {
    const logins: string[] = [];
    const relogin = vi.fn((error: KamiError) =>
      error.code === 'STATECODE_NOT_FOUND'
        ? async (call: { signal?: AbortSignal }) => {
            logins.push(`login ${call.signal ? 'with' : 'without'} signal`);
            return { statecode: 'SC1' } as LoginResult;
          }
        : undefined,
    );
    const clock = fakePlatform({ relogin });
    const client = fakeClient(clock, [api('STATECODE_NOT_FOUND')]);
    const loop = startHeartbeatLoop(client, session, noJitter, clock.platform);
    const events = record(loop, clock);
    await clock.advance(60_000);
    expect(events.map((e) => [e.type, e.at])).toEqual([
      ['relogin', 30_000],
      ['beat', 60_000],
    ]);
    expect(logins).toEqual(['login with signal']);
    expect(client.calls.map((c) => c.statecode)).toEqual(['SC0', 'SC1']);
    expect(loop.statecode).toBe('SC1');
    expect(loop.beats).toBe(1);
    await loop.stop();
  });

  it('the relogin hook: transient failures are retried, definitive ones end the loop, and it never loops', async () => {
    const clock = fakePlatform();
    const answers: Array<KamiError | 'ok'> = [net(), 'ok', api('CARD_EXPIRED')];
    const login = vi.fn(async () => {
      const answer = answers.shift();
      if (answer !== 'ok') throw answer;
      return { statecode: 'SC1' } as LoginResult;
    });
    const platform = { ...clock.platform, relogin: () => login };
    // 状态码不存在 → login fails transiently → retried → relogin → 状态码不存在 again: final.
    const client = fakeClient(clock, [api('STATECODE_NOT_FOUND'), api('STATECODE_NOT_FOUND')]);
    const loop = startHeartbeatLoop(client, session, noJitter, platform);
    const events = record(loop, clock);
    await clock.advance(61_000);
    expect(events.map((e) => e.type)).toEqual(['error', 'relogin', 'lost']);
    expect(events.at(-1)).toMatchObject({ code: 'STATECODE_NOT_FOUND', info: { reason: 'rejected' } });
    expect(login).toHaveBeenCalledTimes(2);
    // A login refused definitively ends the loop with its error.
    const refused = startHeartbeatLoop(
      fakeClient(clock, [api('STATECODE_NOT_FOUND')]),
      session,
      noJitter,
      platform,
    );
    await clock.advance(30_000);
    expect((await refused.stopped).error?.code).toBe('CARD_EXPIRED');
  });

  it('runs on the defaults (setTimeout, Date.now, Math.random) without any hook', async () => {
    vi.useFakeTimers();
    const clock = { now: 0 };
    const client = fakeClient(clock);
    const loop = startHeartbeatLoop(client, session, { intervalMs: 1_000 });
    const beat = vi.fn();
    loop.on('beat', beat);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(beat).toHaveBeenCalledTimes(2);
    await loop.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
