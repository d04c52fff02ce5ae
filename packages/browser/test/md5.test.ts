// Our md5 (crypto-js's, fed TextEncoder's bytes) against node:crypto (OpenSSL) as the oracle,
// on fixed inputs, block boundaries and random Unicode strings.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md5 } from '../src/crypto/md5';
import { md5 as exported } from '../src/index';

const nodeMd5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

function expectSameAsOracles(input: string): void {
  expect(md5(input), JSON.stringify(input.slice(0, 80))).toBe(nodeMd5(input));
}

/** Strings of any UTF-16 code unit, lone surrogates included. */
const codeUnits = fc.nat(0xffff).map((c) => String.fromCharCode(c));

describe('md5', () => {
  it('is the package export', () => {
    expect(exported).toBe(md5);
  });

  it('gives the RFC 1321 test-suite digests (A.5)', () => {
    expect(md5('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5('a')).toBe('0cc175b9c0f1b6a831c399e269772661');
    expect(md5('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5('message digest')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5('abcdefghijklmnopqrstuvwxyz')).toBe('c3fcd3d76192e4007dfb496cca67e13b');
    expect(md5('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')).toBe(
      'd174ab98d277d9f5a5611c2c9f419d9f',
    );
    expect(md5('1234567890'.repeat(8))).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it.each([
    'kami=ABC&imei=DEV&t=1700000000&APPKEY',
    '单码卡密登录',
    '卡密已到期',
    'émoji 🎉🔑 mixed ascii',
    '𝌆 astral plane',
    '\u0000\u0001 control chars \n\t',
    'lone surrogate \ud800 here',
    'trailing lone surrogate \udfff',
    'reversed pair \udc00\ud800',
    '\uffff\ufffe noncharacters',
    '卡'.repeat(1000),
  ])('matches node:crypto for %j', (input) => {
    expectSameAsOracles(input);
  });

  it('matches around the block boundaries (55/56/64 bytes), with characters of every UTF-8 width', () => {
    for (let ascii = 0; ascii <= 200; ascii++) {
      for (const tail of ['', 'é', '卡', '🎉', '\ud800']) expectSameAsOracles('x'.repeat(ascii) + tail);
    }
  });

  it('matches on arbitrary unicode strings (astral, graphemes, lone surrogates), lengths 0–200', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.string({ unit: codeUnits, maxLength: 200 }),
          fc.string({ unit: 'binary-ascii', minLength: 50, maxLength: 70 }),
          fc.string({ unit: 'binary-ascii', minLength: 110, maxLength: 135 }),
        ),
        (input) => expectSameAsOracles(input),
      ),
      { numRuns: 2_000 },
    );
  }, 30_000);

  it('matches on 1 MB strings', () => {
    expectSameAsOracles('x'.repeat(1 << 20));
    expectSameAsOracles('卡密🎉a'.repeat(1 << 18)); // 1 Mi code units, ~2.75 MB of UTF-8
  });

  it('returns 32 lowercase hex characters', () => {
    fc.assert(fc.property(fc.string(), (input) => /^[0-9a-f]{32}$/.test(md5(input))));
  });
});
