import {
  type HeartbeatResult,
  KamiAbortError,
  KamiApiError,
  KamiConnectionError,
  type KamiError,
  type KamiErrorCode,
  KamiRateLimitError,
  KamiResponseError,
  KamiTimeoutError,
  KamiValidationError,
  KamiVerificationError,
  type LoginResult,
} from '@kami-verify/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type HeartbeatClient, type HeartbeatEnd, startHeartbeat } from '../src/heartbeat';

type Step = 'ok' | KamiError | Error | 'hang';

const OK: HeartbeatResult = { msg: '在线', time: 0, date: '', raw: {} };
const api = (code: KamiErrorCode, msg: string = code, httpStatus = 200) =>
  new KamiApiError(code, msg, { httpStatus, serverCode: '201' });
const net = () => new KamiConnectionError('连接错误: ECONNREFUSED', { phase: 'connect' });

/** A client that plays `steps` in order (then `ok` forever) and records every call. */
function fakeClient(steps: Step[] = [], loginSteps: Array<'ok' | KamiError> = []) {
  const calls: Array<{ statecode: string; kami?: string; at: number; signal?: AbortSignal }> = [];
  const logins: Array<{ kami: string; imei: string }> = [];
  let n = 0;
  const client: HeartbeatClient & { calls: typeof calls; logins: typeof logins } = {
    calls,
    logins,
    heartbeat: vi.fn(async (statecode, call) => {
      calls.push({ statecode, kami: call?.kami, at: Date.now(), signal: call?.signal });
      const step = steps.shift() ?? 'ok';
      if (step === 'hang') {
        return new Promise<HeartbeatResult>((_resolve, reject) => {
          call?.signal?.addEventListener('abort', () => reject(new KamiAbortError()), { once: true });
        });
      }
      if (step !== 'ok') throw step;
      return OK;
    }),
    login: vi.fn(async (kami, imei) => {
      logins.push({ kami, imei });
      const step = loginSteps.shift() ?? 'ok';
      if (step !== 'ok') throw step;
      n++;
      return { statecode: `SC${n}` } as LoginResult;
    }),
  };
  return client;
}

/** Records events in order, with the fake clock's time. */
function record(hb: ReturnType<typeof startHeartbeat>) {
  const events: Array<{ type: string; at: number; code?: string; info?: unknown }> = [];
  hb.on('beat', (_r, info) => events.push({ type: 'beat', at: Date.now(), info }));
  hb.on('error', (e, info) => events.push({ type: 'error', at: Date.now(), code: e.code, info }));
  hb.on('lost', (e, info) => events.push({ type: 'lost', at: Date.now(), code: e.code, info }));
  hb.on('relogin', (login) => events.push({ type: 'relogin', at: Date.now(), info: login.statecode }));
  return events;
}

const session = { statecode: 'SC0', kami: 'CARD', imei: 'M1' };
const noJitter = { random: () => 0 };
let t0 = 0;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
  t0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('scheduling', () => {
  it('beats every validitySeconds × 0.5 and sends the statecode and card', async () => {
    const client = fakeClient();
    const hb = startHeartbeat(client, session, { validitySeconds: 20, ...noJitter });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(client.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.calls).toEqual([
      expect.objectContaining({ statecode: 'SC0', kami: 'CARD', at: t0 + 10_000 }),
    ]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(client.calls.map((c) => c.at - t0)).toEqual([10_000, 20_000, 30_000]);
    expect(events.map((e) => e.type)).toEqual(['beat', 'beat', 'beat']);
    expect(events[2]!.info).toEqual({ count: 3, statecode: 'SC0', nextInMs: 10_000 });
    expect(hb.beats).toBe(3);
    expect(hb.lastBeatAt).toBe(t0 + 30_000);
    await hb.stop();
  });

  it('defaults to 30 s (a 60 s validity); intervalMs alone implies a validity of twice it', async () => {
    const hb = startHeartbeat(fakeClient(), session);
    expect([hb.intervalMs, hb.validityMs]).toEqual([30_000, 60_000]);
    const custom = startHeartbeat(fakeClient(), session, { intervalMs: 5_000 });
    expect([custom.intervalMs, custom.validityMs]).toEqual([5_000, 10_000]);
    await Promise.all([hb.stop(), custom.stop()]);
  });

  it('jitters beats early, never late', async () => {
    const client = fakeClient();
    const hb = startHeartbeat(client, session, { intervalMs: 10_000, validitySeconds: 60, random: () => 1 });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(client.calls).toHaveLength(1);
    await hb.stop();
  });

  it('beats right away with `immediate`, and can leave the card out', async () => {
    const client = fakeClient();
    const hb = startHeartbeat(client, session, { immediate: true, sendKami: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(client.calls).toEqual([expect.objectContaining({ kami: undefined, at: t0 })]);
    await hb.stop();
  });

  it('validates its options', () => {
    const client = fakeClient();
    const bad = [
      { intervalMs: 60_000, validitySeconds: 60 },
      { intervalMs: -1 },
      { validitySeconds: 0 },
      { validitySeconds: Number.NaN },
    ];
    for (const options of bad) {
      expect(() => startHeartbeat(client, session, options)).toThrow(KamiValidationError);
    }
    expect(() => startHeartbeat(client, { statecode: '' })).toThrow(KamiValidationError);
    expect(() => startHeartbeat(client, { statecode: 'x' }, { relogin: true })).toThrow(KamiValidationError);
    expect(() => startHeartbeat({ heartbeat: client.heartbeat }, session, { relogin: true })).toThrow(
      KamiValidationError,
    );
  });
});

describe('transient failures', () => {
  it('retries with exponential backoff, reports `error`, and resumes the normal rhythm', async () => {
    const client = fakeClient([net(), new KamiTimeoutError('请求超时'), net()]);
    const hb = startHeartbeat(client, session, { validitySeconds: 60, ...noJitter });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(30_000 + 500 + 1_000 + 2_000);
    expect(client.calls.map((c) => c.at - t0)).toEqual([30_000, 30_500, 31_500, 33_500]);
    expect(events.map((e) => e.type)).toEqual(['error', 'error', 'error', 'beat']);
    expect(events.slice(0, 3).map((e) => e.info)).toEqual([
      { attempt: 1, retryInMs: 500, lostInMs: 30_000 },
      { attempt: 2, retryInMs: 1_000, lostInMs: 29_500 },
      { attempt: 3, retryInMs: 2_000, lostInMs: 28_500 },
    ]);
    expect(events[1]!.code).toBe('TIMEOUT');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(client.calls.at(-1)!.at - t0).toBe(63_500);
    expect(hb.state).toBe('running');
    await hb.stop();
  });

  it('caps the backoff below the validity (default: min(interval, validity / 4))', async () => {
    const client = fakeClient(Array.from({ length: 20 }, net));
    const hb = startHeartbeat(client, session, { validitySeconds: 600, intervalMs: 60_000, random: () => 1 });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(60_000 + 300_000);
    const delays = events
      .filter((e) => e.type === 'error')
      .map((e) => (e.info as { retryInMs: number }).retryInMs);
    expect(Math.max(...delays)).toBe(60_000);
    expect(delays.slice(0, 4)).toEqual([1_000, 2_000, 4_000, 8_000]);
    await hb.stop();
  });

  it.each([
    ['HTTP 5xx', new KamiResponseError('HTTP_ERROR', 'HTTP 502', { httpStatus: 502 })],
    ['an API error on a 5xx', api('CARD_EXPIRED', '卡密已到期', 503)],
    ['an unknown message', api('UNKNOWN_SERVER_ERROR', '服务器维护中')],
    ['验证数据已失效,请重试', api('TIMESTAMP_INVALID')],
    [
      'a garbled reply',
      new KamiResponseError('RESPONSE_INVALID_JSON', '响应不是有效的JSON格式', { httpStatus: 200 }),
    ],
    ['a non-Kami error', new TypeError('boom')],
  ])('treats %s as transient', async (_name, error) => {
    const client = fakeClient([error]);
    const hb = startHeartbeat(client, session, noJitter);
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(30_500);
    expect(events.map((e) => e.type)).toEqual(['error', 'beat']);
    await hb.stop();
  });

  it("honours a 429's Retry-After", async () => {
    const client = fakeClient([
      new KamiRateLimitError('请求过于频繁,请稍后再试', { httpStatus: 429, retryAfterMs: 7_000 }),
    ]);
    const hb = startHeartbeat(client, session, noJitter);
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(37_000);
    expect(events[0]).toMatchObject({ type: 'error', code: 'RATE_LIMITED', info: { retryInMs: 7_000 } });
    expect(client.calls.map((c) => c.at - t0)).toEqual([30_000, 37_000]);
    await hb.stop();
  });

  it('declares `lost` (outage) when failures outlast the validity, then stops', async () => {
    const client = fakeClient(Array.from({ length: 50 }, net));
    const hb = startHeartbeat(client, session, { validitySeconds: 20, ...noJitter });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(25_000);
    const lost = events.find((e) => e.type === 'lost');
    expect(lost).toMatchObject({ code: 'NETWORK_ERROR', info: { reason: 'outage' }, at: t0 + 20_000 });
    expect(client.calls.every((c) => c.at < t0 + 20_000)).toBe(true);
    const end = await hb.stopped;
    expect(end).toMatchObject({ reason: 'lost', lostReason: 'outage', beats: 0 });
    expect(KamiConnectionError.isInstance(end.error)).toBe(true);
    expect(hb.state).toBe('lost');
    const count = client.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(count);
  });

  it('counts the validity from the last success, not from the first failure', async () => {
    const client = fakeClient(['ok', ...Array.from({ length: 50 }, net)]);
    const hb = startHeartbeat(client, session, { validitySeconds: 20, ...noJitter });
    await vi.advanceTimersByTimeAsync(10_000 + 20_000);
    const end = await hb.stopped;
    expect(end.reason).toBe('lost');
    expect(end.beats).toBe(1);
    expect(hb.lastBeatAt).toBe(t0 + 10_000);
  });

  it('aborts a beat that hangs past the validity and declares `lost`', async () => {
    const client = fakeClient(['hang']);
    const hb = startHeartbeat(client, session, { validitySeconds: 20, ...noJitter });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(client.calls[0]!.signal!.aborted).toBe(true);
    expect(events).toEqual([
      expect.objectContaining({ type: 'lost', code: 'TIMEOUT', info: { reason: 'outage' } }),
    ]);
  });
});

describe('definitive failures', () => {
  it.each<KamiErrorCode>([
    'STATECODE_NOT_FOUND',
    'CARD_EXPIRED',
    'CARD_DISABLED',
    'CARD_NOT_FOUND',
    'DEVICE_MISMATCH',
    'APP_DISABLED',
    'SIGNATURE_INVALID',
  ])('%s ends the session at once', async (code) => {
    const client = fakeClient([api(code)]);
    const hb = startHeartbeat(client, session, noJitter);
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(events).toEqual([expect.objectContaining({ type: 'lost', code, info: { reason: 'rejected' } })]);
    expect(await hb.stopped).toMatchObject({ reason: 'lost', lostReason: 'rejected' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(client.calls).toHaveLength(1);
  });

  it('a reply that fails verification (clock skew, tampering) ends the session', async () => {
    const client = fakeClient([new KamiVerificationError('CLOCK_SKEW', '时间戳校验失败')]);
    const hb = startHeartbeat(client, session, noJitter);
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await hb.stopped).error?.code).toBe('CLOCK_SKEW');
  });

  it('`isDefinitive` overrides the classification', async () => {
    const client = fakeClient([net()]);
    const hb = startHeartbeat(client, session, { ...noJitter, isDefinitive: () => true });
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await hb.stopped).error?.code).toBe('NETWORK_ERROR');
  });
});

describe('relogin', () => {
  it('logs in again after 状态码不存在 and beats with the new statecode', async () => {
    const client = fakeClient([api('STATECODE_NOT_FOUND', '状态码不存在')]);
    const hb = startHeartbeat(client, session, { relogin: true, ...noJitter });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.logins).toEqual([{ kami: 'CARD', imei: 'M1' }]);
    expect(events.map((e) => e.type)).toEqual(['relogin', 'beat']);
    expect(client.calls.map((c) => [c.statecode, c.at - t0])).toEqual([
      ['SC0', 30_000],
      ['SC1', 60_000],
    ]);
    expect(hb.statecode).toBe('SC1');
    await hb.stop();
  });

  it('ends with the login error when the card is no longer valid', async () => {
    const client = fakeClient([api('STATECODE_NOT_FOUND')], [api('CARD_EXPIRED', '卡密已到期')]);
    const hb = startHeartbeat(client, session, { relogin: true, ...noJitter });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(events).toEqual([expect.objectContaining({ type: 'lost', code: 'CARD_EXPIRED' })]);
  });

  it('retries a login that failed transiently', async () => {
    const client = fakeClient([api('STATECODE_NOT_FOUND')], [net()]);
    const hb = startHeartbeat(client, session, { relogin: true, ...noJitter });
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(30_500);
    expect(events.map((e) => e.type)).toEqual(['error', 'relogin']);
    await hb.stop();
  });

  it('does not loop: 状态码不存在 right after a relogin is final', async () => {
    const client = fakeClient([api('STATECODE_NOT_FOUND'), api('STATECODE_NOT_FOUND')]);
    const hb = startHeartbeat(client, session, { relogin: true, ...noJitter });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.logins).toHaveLength(1);
    expect((await hb.stopped).error?.code).toBe('STATECODE_NOT_FOUND');
  });

  it('is off by default', async () => {
    const client = fakeClient([api('STATECODE_NOT_FOUND')]);
    const hb = startHeartbeat(client, session, noJitter);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(client.logins).toHaveLength(0);
    expect((await hb.stopped).reason).toBe('lost');
  });
});

describe('lifecycle', () => {
  it('stop() aborts a beat in flight, resolves `stopped`, and nothing is emitted afterwards', async () => {
    const client = fakeClient(['hang']);
    const hb = startHeartbeat(client, session, noJitter);
    const events = record(hb);
    await vi.advanceTimersByTimeAsync(30_000);
    const end: HeartbeatEnd = await hb.stop();
    expect(end).toEqual({ reason: 'stopped', beats: 0 });
    expect(client.calls[0]!.signal!.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(events).toEqual([]);
    expect(hb.state).toBe('stopped');
    expect(await hb.stop()).toBe(end);
  });

  it('stops with `aborted` when its signal fires (or had fired)', async () => {
    const controller = new AbortController();
    const hb = startHeartbeat(fakeClient(), session, { signal: controller.signal });
    controller.abort();
    expect(await hb.stopped).toEqual({ reason: 'aborted', beats: 0 });
    const early = startHeartbeat(fakeClient(), session, { signal: AbortSignal.abort() });
    expect((await early.stopped).reason).toBe('aborted');
  });

  it('an abort from the client itself ends the loop as `aborted`', async () => {
    const client = fakeClient([new KamiAbortError()]);
    const hb = startHeartbeat(client, session, noJitter);
    await vi.advanceTimersByTimeAsync(30_000);
    expect((await hb.stopped).reason).toBe('aborted');
  });

  it('needs no listeners: unhandled `error` and `lost` never throw', async () => {
    const client = fakeClient([net(), api('CARD_DISABLED')]);
    const hb = startHeartbeat(client, session, noJitter);
    await vi.advanceTimersByTimeAsync(31_000);
    expect((await hb.stopped).error?.code).toBe('CARD_DISABLED');
  });

  it('a throwing listener does not break the loop; its error surfaces on the next tick', async () => {
    const thrown: unknown[] = [];
    const realNextTick = process.nextTick.bind(process);
    // Every callback still runs on a real next tick (the test runner's own use it too); only the
    // listener's error is caught there instead of ending the run.
    const nextTick = vi.spyOn(process, 'nextTick').mockImplementation(((
      fn: (...a: unknown[]) => void,
      ...args: unknown[]
    ) =>
      realNextTick(() => {
        try {
          fn(...args);
        } catch (error) {
          if (!(error instanceof Error && error.message === 'listener bug')) throw error;
          thrown.push(error);
        }
      })) as typeof process.nextTick);
    try {
      const client = fakeClient();
      const hb = startHeartbeat(client, session, noJitter);
      const seen: number[] = [];
      hb.on('beat', () => {
        throw new Error('listener bug');
      });
      hb.on('beat', (_r, info) => seen.push(info.count));
      await vi.advanceTimersByTimeAsync(60_000);
      await new Promise<void>((resolve) => realNextTick(resolve)); // after the ticks queued so far
      expect(seen).toEqual([1, 2]);
      expect(thrown).toHaveLength(2);
      await hb.stop();
    } finally {
      nextTick.mockRestore();
    }
  });

  it('once() and off()', async () => {
    const hb = startHeartbeat(fakeClient(), session, noJitter);
    const once = vi.fn();
    const removed = vi.fn();
    hb.once('beat', once).on('beat', removed).off('beat', removed);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(once).toHaveBeenCalledTimes(1);
    expect(removed).not.toHaveBeenCalled();
    expect(hb.listenerCount('beat')).toBe(0);
    await hb.stop();
  });
});

describe('clocks', () => {
  it('after a sleep past the validity (no failed attempt) it asks the server instead of declaring an outage', async () => {
    const client = fakeClient([api('STATECODE_NOT_FOUND')]);
    const hb = startHeartbeat(client, session, { validitySeconds: 20, relogin: true, ...noJitter });
    const events = record(hb);
    // Simulates a suspended machine: the clocks jump far past the deadline before any timer runs.
    vi.setSystemTime(Date.now() + 3_600_000);
    const perf = vi.spyOn(performance, 'now').mockReturnValue(performance.now() + 3_600_000);
    try {
      await vi.advanceTimersByTimeAsync(10_000);
    } finally {
      perf.mockRestore();
    }
    expect(events.map((e) => e.type)).toEqual(['relogin']);
    await hb.stop();
  });
});

describe('waking up', () => {
  it('gives the network one validity to come back after a sleep, then lets the server decide', async () => {
    const client = fakeClient([net(), net(), api('STATECODE_NOT_FOUND')]);
    const hb = startHeartbeat(client, session, { validitySeconds: 20, relogin: true, ...noJitter });
    const events = record(hb);
    vi.setSystemTime(Date.now() + 3_600_000);
    const base = performance.now();
    const perf = vi
      .spyOn(performance, 'now')
      .mockImplementation(() => base + 3_600_000 + (Date.now() - t0 - 3_600_000));
    try {
      await vi.advanceTimersByTimeAsync(12_000);
    } finally {
      perf.mockRestore();
    }
    expect(events.map((e) => e.type)).toEqual(['error', 'error', 'relogin']);
    await hb.stop();
  });
});
