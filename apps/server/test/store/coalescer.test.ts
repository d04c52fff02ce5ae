// The coalescer behind PostgreSQL's batched statements (store/coalescer.ts).
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/store/coalescer';

/** A `run` that records its batches and answers each item doubled, after a macrotask. */
function recorder(fail?: (items: number[]) => boolean) {
  const batches: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const run = async (items: number[]) => {
    batches.push(items);
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 2));
    running--;
    if (fail?.(items)) throw new Error(`batch ${items.join(',')} failed`);
    return items.map((i) => i * 2);
  };
  return { run, batches, maxRunning: () => maxRunning };
}

describe('Coalescer', () => {
  it('runs what is submitted in one turn as one batch, answering each item its own result', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, { maxInFlight: 2, maxBatch: 100 });
    const results = await Promise.all([1, 2, 3, 4].map((i) => c.submit(i)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(r.batches).toEqual([[1, 2, 3, 4]]);
  });

  it('caps a batch at maxBatch and the statements at maxInFlight; the rest wait and go together', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, { maxInFlight: 2, maxBatch: 3 });
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(await Promise.all(items.map((i) => c.submit(i)))).toEqual(items.map((i) => i * 2));
    expect(r.batches.every((b) => b.length <= 3)).toBe(true);
    expect(r.batches.flat()).toEqual(items);
    expect(r.maxRunning()).toBe(2);
  });

  it('never puts two items with one key in a batch: the later one waits for the next', async () => {
    const r = recorder();
    const c = new Coalescer(r.run, { maxInFlight: 1, maxBatch: 100, key: (i: number) => String(i % 3) });
    await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => c.submit(i)));
    for (const batch of r.batches) expect(new Set(batch.map((i) => i % 3)).size).toBe(batch.length);
    expect(r.batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('a failed batch rejects its own items only; the next batches run', async () => {
    const r = recorder((items) => items.includes(1));
    const c = new Coalescer(r.run, { maxInFlight: 1, maxBatch: 2 });
    const settled = await Promise.allSettled([0, 1, 2, 3].map((i) => c.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(c.waiting).toBe(0);
  });
});
