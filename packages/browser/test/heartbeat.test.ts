import {
  type HeartbeatResult,
  KamiApiError,
  KamiConnectionError,
  KamiRateLimitError,
  KamiVerificationError,
} from '@kami-verify/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelayMs,
  isDefinitiveHeartbeatError,
  startHeartbeat,
  type VisibilitySource,
} from '../src/index';

const OK: HeartbeatResult = { msg: '在线', time: 0, date: '', raw: {} };
const apiError = (code: 'STATECODE_NOT_FOUND' | 'CARD_EXPIRED', status = 200) =>
  new KamiApiError(code, code === 'CARD_EXPIRED' ? '卡密已到期' : '状态码不存在', {
    serverCode: 201,
    httpStatus: status,
  });
const netError = () => new KamiConnectionError('连接错误');

/** A client whose beats answer from a script of results (an Error rejects). */
function scriptedClient(...answers: Array<HeartbeatResult | Error>) {
  const heartbeat = vi.fn(async (_statecode: string, _call?: { kami?: string; signal?: AbortSignal }) => {
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (next instanceof Error) throw next;
    return next;
  });
  return { heartbeat };
}

/** A `document` stand-in whose visibility the test flips. */
function fakeDocument() {
  const listeners = new Set<() => void>();
  const doc = {
    visibilityState: 'visible',
    addEventListener: (_t: 'visibilitychange', l: () => void) => listeners.add(l),
    removeEventListener: (_t: 'visibilitychange', l: () => void) => listeners.delete(l),
    set(state: 'visible' | 'hidden') {
      doc.visibilityState = state;
      for (const l of listeners) l();
    },
    listeners,
  };
  return doc satisfies VisibilitySource;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const noJitter = { random: () => 0, document: null } as const;

describe('startHeartbeat', () => {
  it('beats at half the validity and reports each beat', async () => {
    const client = scriptedClient(OK);
    const hb = startHeartbeat(
      client,
      { statecode: 'SC', kami: 'CARD' },
      { validitySeconds: 60, ...noJitter },
    );
    const beats: number[] = [];
    hb.on('beat', (_r, info) => beats.push(info.count));
    expect(hb.intervalMs).toBe(30_000);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(client.heartbeat).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(client.heartbeat).toHaveBeenCalledWith('SC', expect.objectContaining({ kami: 'CARD' }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(beats).toEqual([1, 2, 3]);
    expect(hb.beats).toBe(3);
    await hb.stop();
  });

  it('jitters beats early, never late', async () => {
    const client = scriptedClient(OK);
    const hb = startHeartbeat(
      client,
      { statecode: 'SC' },
      { intervalMs: 10_000, random: () => 0.999, document: null },
    );
    await vi.advanceTimersByTimeAsync(9_000);
    expect(client.heartbeat).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1); // 10 000 × (1 − 0.1 × 0.999) = 9 001 ms
    expect(client.heartbeat).toHaveBeenCalledOnce();
    await hb.stop();
  });

  it('retries transient failures with growing, jittered backoff and recovers', async () => {
    const client = scriptedClient(netError(), netError(), OK);
    const hb = startHeartbeat(
      client,
      { statecode: 'SC' },
      { validitySeconds: 60, immediate: true, ...noJitter },
    );
    const errors: Array<{ attempt: number; retryInMs: number }> = [];
    hb.on('error', (_e, info) => errors.push(info));
    const beat = vi.fn();
    hb.on('beat', beat);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(500); // attempt 1: delay between 500 and 1000
    await vi.advanceTimersByTimeAsync(1_000); // attempt 2: between 1000 and 2000
    expect(errors.map((e) => e.attempt)).toEqual([1, 2]);
    expect(errors.map((e) => e.retryInMs)).toEqual([500, 1_000]);
    expect(beat).toHaveBeenCalledOnce();
    expect(hb.state).toBe('running');
    await hb.stop();
  });

  it.each([
    ['STATECODE_NOT_FOUND', apiError('STATECODE_NOT_FOUND')],
    ['CARD_EXPIRED', apiError('CARD_EXPIRED')],
    ['CLOCK_SKEW', new KamiVerificationError('CLOCK_SKEW', '时间戳校验失败')],
  ])('stops and emits lost on a definitive %s', async (_name, error) => {
    const client = scriptedClient(error);
    const hb = startHeartbeat(client, { statecode: 'SC' }, { immediate: true, ...noJitter });
    const lost = vi.fn();
    hb.on('lost', lost);
    await vi.advanceTimersByTimeAsync(0);
    expect(lost).toHaveBeenCalledWith(error, { reason: 'rejected' });
    expect(hb.state).toBe('lost');
    await expect(hb.stopped).resolves.toMatchObject({ reason: 'lost', lostReason: 'rejected', error });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(client.heartbeat).toHaveBeenCalledOnce();
  });

  it('declares an outage lost when nothing answered for the whole validity', async () => {
    const client = scriptedClient(netError());
    const hb = startHeartbeat(client, { statecode: 'SC' }, { validitySeconds: 10, ...noJitter });
    const lost = vi.fn();
    hb.on('lost', lost);
    await vi.advanceTimersByTimeAsync(11_000);
    expect(lost).toHaveBeenCalledWith(expect.any(KamiConnectionError), { reason: 'outage' });
    expect(hb.state).toBe('lost');
  });

  it('stop() ends the loop, aborts the beat in flight and emits nothing', async () => {
    let seen: AbortSignal | undefined;
    const client = {
      heartbeat: vi.fn((_s: string, call?: { signal?: AbortSignal }) => {
        seen = call?.signal;
        return new Promise<HeartbeatResult>(() => {});
      }),
    };
    const hb = startHeartbeat(client, { statecode: 'SC' }, { immediate: true, ...noJitter });
    const any = vi.fn();
    hb.on('beat', any).on('error', any).on('lost', any);
    await vi.advanceTimersByTimeAsync(0);
    await expect(hb.stop()).resolves.toEqual({ reason: 'stopped', beats: 0 });
    expect(seen?.aborted).toBe(true);
    expect(any).not.toHaveBeenCalled();
    expect(hb.state).toBe('stopped');
  });

  it('an AbortSignal stops it too', async () => {
    const controller = new AbortController();
    const hb = startHeartbeat(
      scriptedClient(OK),
      { statecode: 'SC' },
      { signal: controller.signal, ...noJitter },
    );
    controller.abort();
    await expect(hb.stopped).resolves.toMatchObject({ reason: 'aborted' });
  });

  it('beats at once when the page becomes visible after the interval passed (throttled timers)', async () => {
    const doc = fakeDocument();
    const client = scriptedClient(OK);
    const hb = startHeartbeat(
      client,
      { statecode: 'SC' },
      { validitySeconds: 600, random: () => 0, document: doc },
    );
    doc.set('hidden');
    // Simulate a throttled tab: wall time moves on but the beat timer has not fired yet.
    vi.setSystemTime(Date.now() + 301_000);
    expect(client.heartbeat).not.toHaveBeenCalled();
    doc.set('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(client.heartbeat).toHaveBeenCalledOnce();
    await hb.stop();
    expect(doc.listeners.size).toBe(0);
  });

  it('does not beat early on visibility when the last beat is recent', async () => {
    const doc = fakeDocument();
    const client = scriptedClient(OK);
    const hb = startHeartbeat(
      client,
      { statecode: 'SC' },
      { validitySeconds: 600, random: () => 0, document: doc },
    );
    doc.set('hidden');
    doc.set('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(client.heartbeat).not.toHaveBeenCalled();
    await hb.stop();
  });

  it('a throwing listener does not break the loop', async () => {
    const client = scriptedClient(OK);
    const hb = startHeartbeat(client, { statecode: 'SC' }, { intervalMs: 1_000, ...noJitter });
    const reported: unknown[] = [];
    const onError = (e: unknown) => reported.push(e);
    process.on('uncaughtException', onError);
    hb.on('beat', () => {
      throw new Error('listener bug');
    });
    await vi.advanceTimersByTimeAsync(2_000);
    process.off('uncaughtException', onError);
    expect(client.heartbeat).toHaveBeenCalledTimes(2);
    await hb.stop();
  });

  it('validates its inputs', () => {
    const client = scriptedClient(OK);
    expect(() => startHeartbeat(client, { statecode: '' })).toThrow(/statecode/);
    expect(() =>
      startHeartbeat(client, { statecode: 'SC' }, { validitySeconds: 10, intervalMs: 10_000 }),
    ).toThrow(/below the statecode validity/);
  });
});

describe('heartbeat policy', () => {
  it('classifies definitive and transient failures', () => {
    expect(isDefinitiveHeartbeatError(apiError('STATECODE_NOT_FOUND'))).toBe(true);
    expect(isDefinitiveHeartbeatError(apiError('CARD_EXPIRED', 503))).toBe(false);
    expect(isDefinitiveHeartbeatError(netError())).toBe(false);
    expect(
      isDefinitiveHeartbeatError(new KamiRateLimitError('请求过于频繁,请稍后再试', { httpStatus: 429 })),
    ).toBe(false);
  });

  it('backs off exponentially up to the cap and honours Retry-After', () => {
    const policy = { initialMs: 1_000, maxMs: 8_000, random: () => 1 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, netError(), policy))).toEqual([
      1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
    const limited = new KamiRateLimitError('', { httpStatus: 429, retryAfterMs: 20_000 });
    expect(backoffDelayMs(1, limited, policy)).toBe(20_000);
  });
});
