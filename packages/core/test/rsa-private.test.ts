// The server's RSA private side: blinding, one failure for every bad ciphertext, length caps.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAlphabetCodec, parseRsaPublicKey, plainCodec, rsaEncryptValue } from '../src';
import * as blinding from '../src/codecs/rsa/blinding';
import {
  createRsaServerCodec,
  parseRsaPrivateKey,
  RsaDecryptError,
  rsaDecryptValue,
  rsaEncodedLength,
  rsaPrivateOp,
} from '../src/server';
import { nodeRsaDecryptValue, rsaKey } from './helpers';

vi.mock('../src/codecs/rsa/blinding', async (original) => {
  const real = await original<typeof import('../src/codecs/rsa/blinding')>();
  return { ...real, randomUnit: vi.fn(real.randomUnit) };
});

const priv = parseRsaPrivateKey(rsaKey.privateKeyPkcs8Pem);
const pub = parseRsaPublicKey(rsaKey.publicKeySpkiPem);
const { n, e, d } = priv;
const randomUnit = vi.mocked(blinding.randomUnit);

afterEach(() => {
  randomUnit.mockClear();
});

/** A raw block: `em` encrypted with the public key and no padding at all. */
function rawBlock(em: Uint8Array): string {
  const x = BigInt(`0x${Buffer.from(em).toString('hex')}`);
  let y = 1n;
  let b = x;
  for (let k = e; k > 0n; k >>= 1n, b = (b * b) % n) if (k & 1n) y = (y * b) % n;
  return y.toString(16).padStart(256, '0').toUpperCase();
}

function em(head: number[], fill: number, tail: number[]): Uint8Array {
  const out = new Uint8Array(128).fill(fill);
  out.set(head, 0);
  out.set(tail, 128 - tail.length);
  return out;
}

describe('blinding', () => {
  it('every private operation draws a fresh blinding factor', () => {
    const hex = rsaEncryptValue('x'.repeat(200), pub); // two blocks
    expect(rsaDecryptValue(hex, priv)).toBe('x'.repeat(200));
    expect(randomUnit).toHaveBeenCalledTimes(2);
    createRsaServerCodec(rsaKey.privateKeyPkcs8Pem).encodeResponse('{"code":200}');
    expect(randomUnit).toHaveBeenCalledTimes(3);
  });

  it('unblinds exactly: x^d mod n whatever the factor', () => {
    for (const r of [2n, 3n, n - 1n, 0x1234567890abcdefn]) {
      randomUnit.mockReturnValueOnce({ r, inverse: blinding.modInverse(r, n)! });
      const x = 0xc0ffeen;
      expect(rsaPrivateOp(x, priv)).toBe(
        BigInt(
          `0x${crypto.privateDecrypt({ key: rsaKey.privateKeyPkcs8Pem, padding: crypto.constants.RSA_NO_PADDING }, Buffer.from(x.toString(16).padStart(256, '0'), 'hex')).toString('hex')}`,
        ),
      );
    }
    expect(d).toBeGreaterThan(0n);
  });

  it('modInverse inverts units and refuses non-units', () => {
    expect(blinding.modInverse(3n, 7n)).toBe(5n);
    expect(blinding.modInverse(6n, 9n)).toBeUndefined();
    const { r, inverse } = blinding.randomUnit(n);
    expect((r * inverse) % n).toBe(1n);
  });
});

describe('every decryption failure is the same failure', () => {
  const good = rsaEncryptValue('DEVICE_001', pub);
  const failures: Record<string, string> = {
    'not hex': 'ZZ'.repeat(128),
    'odd length': `${good}0`,
    empty: '',
    'not whole blocks': good.slice(0, -2),
    'block ≥ n': 'FF'.repeat(128),
    'type 1 instead of 2': rawBlock(em([0, 1], 0xff, [0, 0x41])),
    'no separator': rawBlock(em([0, 2], 0x11, [])),
    'separator too early': rawBlock(em([0, 2, 1, 2, 3, 0], 0x41, [])),
    'leading byte not 0': rawBlock(em([1, 2], 0x11, [0, 0x41])),
    'bad UTF-8 inside good padding': rawBlock(em([0, 2], 0x11, [0, 0xff, 0xfe])),
    'good first block, bad second': good + rawBlock(em([0, 1], 0xff, [0, 0x41])),
    'bad first block, good second': rawBlock(em([0, 1], 0xff, [0, 0x41])) + good,
  };

  it.each(Object.entries(failures))('%s → RsaDecryptError("RSA decryption failed")', (_, hex) => {
    let thrown: unknown;
    try {
      rsaDecryptValue(hex, priv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RsaDecryptError);
    expect((thrown as Error).message).toBe('RSA decryption failed');
  });

  it('the hand-made blocks are what they claim (node agrees padding is the only problem)', () => {
    const ok = rawBlock(em([0, 2], 0x11, [0, 0x41, 0x42]));
    expect(rsaDecryptValue(ok, priv)).toBe('AB');
    expect(nodeRsaDecryptValue(ok)).toBe('AB');
    expect(() => nodeRsaDecryptValue(failures['type 1 instead of 2']!)).toThrow();
  });

  it('whole-block failures still run the private operation for every block', () => {
    expect(() => rsaDecryptValue(failures['bad first block, good second']!, priv)).toThrow(RsaDecryptError);
    expect(randomUnit).toHaveBeenCalledTimes(2);
  });
});

describe('the server codec', () => {
  it("reads an empty field as '' (t3sdk's empty value) and a padded empty block as '' too", () => {
    const rsa = createRsaServerCodec(rsaKey.privateKeyPkcs8Pem);
    expect(rsa.decodeValue('')).toBe('');
    expect(rsa.decodeValue(rsaEncryptValue('', pub))).toBe('');
    expect(() => rsa.decodeValue('00')).toThrow(RsaDecryptError);
  });
});

describe('maxEncodedLength: the longest encoding of a value of n bytes', () => {
  const rsa = createRsaServerCodec(rsaKey.privateKeyPkcs8Pem);
  const b64 = createAlphabetCodec('ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/');

  it('matches the documented RSA sizes (1024-bit key: 256 hex characters per 117 bytes)', () => {
    expect([0, 10, 117, 118, 200].map((b) => rsa.maxEncodedLength(b))).toEqual([256, 256, 256, 512, 512]);
    expect(rsaEncodedLength(245, 256)).toBe(512);
  });

  it('bounds every codec’s real output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), (text) => {
        const bytes = Buffer.byteLength(text);
        expect(plainCodec.encodeValue(text).length).toBeLessThanOrEqual(plainCodec.maxEncodedLength(bytes));
        expect(b64.encodeValue(text).length).toBeLessThanOrEqual(b64.maxEncodedLength(bytes));
        expect(rsaEncryptValue(text, pub).length).toBe(rsa.maxEncodedLength(bytes));
      }),
      { numRuns: 60 },
    );
  });
});
