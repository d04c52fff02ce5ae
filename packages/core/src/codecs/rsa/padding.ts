import { concatBytes, randomBytes } from '../../bytes';

/**
 * PKCS#1 v1.5 padding in the directions the T3 RSA mode uses:
 * - request values: type 2 (random non-zero padding), public-key encrypted by the client;
 * - responses: type 1 (0xFF padding), private-key "encrypted" by the server.
 * Data goes in chunks of k − 11 bytes (117 for a 1024-bit key), ciphertext blocks of k bytes.
 */

function nonZeroRandom(length: number): Uint8Array {
  const out = randomBytes(length);
  for (let i = 0; i < out.length; i++) {
    while (out[i] === 0) out[i] = randomBytes(1)[0]!;
  }
  return out;
}

export function chunks(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  if (out.length === 0) out.push(new Uint8Array(0));
  return out;
}

export function pad(block: Uint8Array, k: number, type: 1 | 2): Uint8Array {
  const ps =
    type === 2 ? nonZeroRandom(k - 3 - block.length) : new Uint8Array(k - 3 - block.length).fill(0xff);
  return concatBytes([Uint8Array.of(0, type), ps, Uint8Array.of(0), block]);
}

/** Client side: strips type-1 padding (public data, so an early exit leaks nothing). */
export function unpadType1(em: Uint8Array): Uint8Array {
  if (em[0] !== 0 || em[1] !== 1) throw new TypeError('bad PKCS#1 padding');
  let i = 2;
  for (; i < em.length; i++) {
    const b = em[i];
    if (b === 0) break;
    if (b !== 0xff) throw new TypeError('bad PKCS#1 padding');
  }
  if (i === em.length || i < 10) throw new TypeError('bad PKCS#1 padding');
  return em.subarray(i + 1);
}

export function blocksOf(data: Uint8Array, k: number): Uint8Array[] {
  if (data.length === 0 || data.length % k !== 0) throw new TypeError('ciphertext is not whole RSA blocks');
  return chunks(data, k);
}
