import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  bytesToHex,
  hexToBytes,
  timingSafeEqualString,
  utf8Decode,
  utf8Encode,
} from '../src';
import { loadVector } from './helpers';

interface BytesVectors {
  cases: { text: string; hex: string; hexUpper: string; base64: string }[];
  binary: { hex: string; base64: string }[];
}
const v = loadVector<BytesVectors>('bytes.json');

describe('utf8 / hex / base64 vectors (bytes.json)', () => {
  it.each(v.cases)('text %#', (c) => {
    const bytes = utf8Encode(c.text);
    expect(bytesToHex(bytes)).toBe(c.hex);
    expect(bytesToHex(bytes, true)).toBe(c.hexUpper);
    expect(base64Encode(bytes)).toBe(c.base64);
    expect(utf8Decode(hexToBytes(c.hex))).toBe(c.text);
    expect(utf8Decode(hexToBytes(c.hexUpper))).toBe(c.text);
    expect(utf8Decode(base64Decode(c.base64))).toBe(c.text);
  });

  it.each(v.binary)('binary %#', (c) => {
    const bytes = hexToBytes(c.hex);
    expect(base64Encode(bytes)).toBe(c.base64);
    expect(bytesToHex(base64Decode(c.base64))).toBe(c.hex);
  });
});

describe('hexToBytes', () => {
  it.each(['a', 'abc', 'zz', '0x00', 'a b ', 'éé'])('rejects %j', (bad) => {
    expect(() => hexToBytes(bad)).toThrow(TypeError);
  });
  it('accepts the empty string and mixed case', () => {
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
    expect([...hexToBytes('aBcD')]).toEqual([0xab, 0xcd]);
  });
});

describe('base64Decode', () => {
  it('tolerates whitespace and missing padding', () => {
    expect(utf8Decode(base64Decode('Zm9v\nYmFy'))).toBe('foobar');
    expect(utf8Decode(base64Decode('Zm9vYg'))).toBe('foob');
    expect(utf8Decode(base64Decode(' Zm9vYg== '))).toBe('foob');
  });
  it.each(['Zm9vY', 'Zm9v!mFy', 'Zm9v-_', 'Zm9v中'])('rejects %j', (bad) => {
    expect(() => base64Decode(bad)).toThrow(TypeError);
  });
});

describe('utf8Decode', () => {
  it('throws on malformed UTF-8 instead of inserting U+FFFD', () => {
    expect(() => utf8Decode(Uint8Array.of(0xff, 0xfe))).toThrow();
    expect(() => utf8Decode(Uint8Array.of(0xe4, 0xb8))).toThrow(); // truncated 中
  });
});

describe('timingSafeEqualString', () => {
  it('compares equal, different and different-length strings', () => {
    expect(timingSafeEqualString('abc', 'abc')).toBe(true);
    expect(timingSafeEqualString('', '')).toBe(true);
    expect(timingSafeEqualString('abc', 'abd')).toBe(false);
    expect(timingSafeEqualString('abc', 'ab')).toBe(false);
    expect(timingSafeEqualString('abc', 'ABC')).toBe(false);
  });
  it('agrees with === (property)', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => timingSafeEqualString(a, b) === (a === b)));
    fc.assert(fc.property(fc.string(), (a) => timingSafeEqualString(a, a)));
  });
});

describe('properties against Buffer', () => {
  it('hex and base64 of arbitrary bytes match node and round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes);
        expect(bytesToHex(bytes)).toBe(buf.toString('hex'));
        expect(bytesToHex(bytes, true)).toBe(buf.toString('hex').toUpperCase());
        expect(base64Encode(bytes)).toBe(buf.toString('base64'));
        expect(hexToBytes(buf.toString('hex'))).toEqual(bytes);
        expect(base64Decode(buf.toString('base64'))).toEqual(bytes);
      }),
    );
  });
  it('utf8 of arbitrary strings matches node and round-trips', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const bytes = utf8Encode(text);
        expect(Buffer.from(bytes).equals(Buffer.from(text, 'utf8'))).toBe(true);
        expect(utf8Decode(bytes)).toBe(text);
      }),
    );
  });
});

describe('randomBytes (pooled CSPRNG output)', () => {
  it('hands out every byte once, across pool refills, in the lengths asked for', async () => {
    const { randomBytes } = await import('../src/bytes');
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const length = 1 + (i % 40);
      const bytes = randomBytes(length);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes.length).toBe(length);
      // 8+ random bytes never repeat in practice; a pool handing out a slice twice would.
      if (length >= 8) {
        const hex = bytesToHex(bytes);
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
    // Large requests bypass the pool.
    expect(randomBytes(1000).length).toBe(1000);
  });

  it('is not all zeros or constant (the pool is really filled)', async () => {
    const { randomBytes } = await import('../src/bytes');
    const all = Array.from({ length: 200 }, () => randomBytes(8)).flatMap((b) => [...b]);
    expect(new Set(all).size).toBeGreaterThan(200);
  });
});
