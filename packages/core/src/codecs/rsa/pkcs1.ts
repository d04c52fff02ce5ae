import {
  base64Decode,
  base64Encode,
  bytesToHex,
  concatBytes,
  hexToBytes,
  randomBytes,
  utf8Decode,
  utf8Encode,
} from '../../bytes';
import { bigIntToBytes, byteLength, bytesToBigInt, modPow } from './bigint';
import type { RsaPrivateKey, RsaPublicKey } from './der';

/**
 * PKCS#1 v1.5 over BigInt, in the directions the T3 RSA mode uses:
 * - request values: type-2 padding, encrypted with the public key (client) / decrypted with
 *   the private key (server; Node 20's privateDecrypt refuses this padding);
 * - responses: type-1 padding, "encrypted" with the private key (server) / recovered with the
 *   public key (client).
 * Data goes in chunks of k − 11 bytes (117 for a 1024-bit key), ciphertext blocks of k bytes.
 */

function nonZeroRandom(length: number): Uint8Array {
  const out = randomBytes(length);
  for (let i = 0; i < out.length; i++) {
    while (out[i] === 0) out[i] = randomBytes(1)[0]!;
  }
  return out;
}

function chunks(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  if (out.length === 0) out.push(new Uint8Array(0));
  return out;
}

function pad(block: Uint8Array, k: number, type: 1 | 2): Uint8Array {
  const ps =
    type === 2 ? nonZeroRandom(k - 3 - block.length) : new Uint8Array(k - 3 - block.length).fill(0xff);
  return concatBytes([Uint8Array.of(0, type), ps, Uint8Array.of(0), block]);
}

function unpad(em: Uint8Array, type: 1 | 2): Uint8Array {
  if (em[0] !== 0 || em[1] !== type) throw new TypeError('bad PKCS#1 padding');
  let i = 2;
  for (; i < em.length; i++) {
    const b = em[i];
    if (b === 0) break;
    if (type === 1 && b !== 0xff) throw new TypeError('bad PKCS#1 padding');
  }
  if (i === em.length || i < 10) throw new TypeError('bad PKCS#1 padding');
  return em.subarray(i + 1);
}

function privateOp(c: bigint, key: RsaPrivateKey): bigint {
  // CRT: two half-size exponentiations instead of one full-size one (about 3× faster).
  const m1 = modPow(c % key.p, key.dp, key.p);
  const m2 = modPow(c % key.q, key.dq, key.q);
  let h = ((m1 - m2) * key.qinv) % key.p;
  if (h < 0n) h += key.p;
  return m2 + h * key.q;
}

function blocksOf(data: Uint8Array, k: number): Uint8Array[] {
  if (data.length === 0 || data.length % k !== 0) throw new TypeError('ciphertext is not whole RSA blocks');
  return chunks(data, k);
}

/** Client: encrypts a value with the public key → uppercase hex of the concatenated blocks. */
export function rsaEncryptValue(value: string, key: RsaPublicKey): string {
  const k = byteLength(key.n);
  const blocks = chunks(utf8Encode(value), k - 11).map((block) =>
    bigIntToBytes(modPow(bytesToBigInt(pad(block, k, 2)), key.e, key.n), k),
  );
  return bytesToHex(concatBytes(blocks), true);
}

/** Server: inverse of {@link rsaEncryptValue}. */
export function rsaDecryptValue(hex: string, key: RsaPrivateKey): string {
  const k = byteLength(key.n);
  const parts = blocksOf(hexToBytes(hex), k).map((block) => {
    const c = bytesToBigInt(block);
    if (c >= key.n) throw new TypeError('RSA block out of range');
    return unpad(bigIntToBytes(privateOp(c, key), k), 2);
  });
  return utf8Decode(concatBytes(parts));
}

/** Server: signs-style "encryption" of a response with the private key → standard base64. */
export function rsaEncryptResponse(json: string, key: RsaPrivateKey): string {
  const k = byteLength(key.n);
  const blocks = chunks(utf8Encode(json), k - 11).map((block) =>
    bigIntToBytes(privateOp(bytesToBigInt(pad(block, k, 1)), key), k),
  );
  return base64Encode(concatBytes(blocks));
}

/** Client: recovers a response with the public key and strips the type-1 padding. */
export function rsaDecryptResponse(body: string, key: RsaPublicKey): string {
  const k = byteLength(key.n);
  const parts = blocksOf(base64Decode(body.trim()), k).map((block) => {
    const c = bytesToBigInt(block);
    if (c >= key.n) throw new TypeError('RSA block out of range');
    return unpad(bigIntToBytes(modPow(c, key.e, key.n), k), 1);
  });
  return utf8Decode(concatBytes(parts));
}
