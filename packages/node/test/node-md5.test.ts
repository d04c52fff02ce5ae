import { computeLoginToken } from '@kami-verify/core';
import { describe, expect, it } from 'vitest';
import { nodeMd5 } from '../src/crypto/node-md5';

describe('nodeMd5', () => {
  it('matches RFC 1321 vectors as 32 lowercase hex', () => {
    expect(nodeMd5('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(nodeMd5('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('hashes the UTF-8 bytes (Chinese text signs the same as on the server)', () => {
    // Python: hashlib.md5('卡密'.encode()).hexdigest()
    expect(nodeMd5('卡密')).toBe('0224a887ab19a26fb2ae1c0fe7e38a8a');
  });

  it('plugs into core helpers', () => {
    expect(computeLoginToken(nodeMd5, { id: 1, appKey: 'K', endTime: 'E', date: 'D' })).toBe(nodeMd5('1KED'));
  });
});
