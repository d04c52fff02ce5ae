import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNodeMd5 } from '../src';

describe('createNodeMd5', () => {
  const expected = crypto.createHash('md5').update('卡密 t=1&KEY', 'utf8').digest('hex');

  it('uses the one-shot crypto.hash when there is one', () => {
    const calls: string[] = [];
    const md5 = createNodeMd5({
      hash: (algorithm, data, encoding) => {
        calls.push(algorithm);
        return crypto.createHash(algorithm).update(data, 'utf8').digest(encoding);
      },
      createHash: () => {
        throw new Error('not expected');
      },
    });
    expect(md5('卡密 t=1&KEY')).toBe(expected);
    expect(calls).toEqual(['md5']);
  });

  it('falls back on createHash (Node before 20.12)', () => {
    const md5 = createNodeMd5({ createHash: (a) => crypto.createHash(a) });
    expect(md5('卡密 t=1&KEY')).toBe(expected);
  });

  it('works with node:crypto itself', () => {
    expect(createNodeMd5(crypto)('卡密 t=1&KEY')).toBe(expected);
  });
});
