import { base64Encode, concatBytes, hexToBytes, utf8Decode, utf8Encode } from '../../bytes';
import type { ServerCodec } from '../types';
import { bigIntToBytes, byteLength, bytesToBigInt, modPow } from './bigint';
import { randomUnit } from './blinding';
import { chunks, pad } from './padding';
import { parseRsaPrivateKey, type RsaPrivateKey } from './private-key';

// The server's half of the RSA mode: the private key. Node 20's privateDecrypt refuses
// PKCS#1 v1.5 (the Marvin attack), so request values are decrypted here over BigInt.

/** The one error every failed decryption throws, whatever went wrong: no oracle in the text. */
export class RsaDecryptError extends TypeError {
  override name = 'RsaDecryptError';
  constructor() {
    super('RSA decryption failed');
  }
}

/**
 * Server side: finds the type-2 message without branching on the secret bytes, and reports a
 * failure as `undefined` only after the whole block was scanned. (JavaScript promises no
 * constant time; this just avoids the obvious data-dependent exits of a padding oracle.)
 */
export function unpadType2(em: Uint8Array): Uint8Array | undefined {
  let bad = em[0]! | (em[1]! ^ 2);
  let separator = 0;
  let found = 0;
  for (let i = 2; i < em.length; i++) {
    const isZero = ((em[i]! - 1) >>> 31) & 1; // 1 exactly when the byte is 0
    const first = isZero & (found ^ 1);
    separator |= -first & i;
    found |= isZero;
  }
  bad |= found ^ 1;
  bad |= ((separator - 10) >>> 31) & 1; // at least 8 padding bytes
  return bad === 0 ? em.subarray(separator + 1) : undefined;
}

/**
 * x^d mod n, blinded: x is multiplied by r^e first and the result by r⁻¹ after, with a fresh
 * random r each call, so the exponentiation never runs on attacker-chosen input and its
 * timing says nothing about x. Then CRT: two half-size exponentiations (about 3× faster).
 */
export function rsaPrivateOp(x: bigint, key: RsaPrivateKey): bigint {
  const { r, inverse } = randomUnit(key.n);
  const blinded = (x * modPow(r, key.e, key.n)) % key.n;
  const m1 = modPow(blinded % key.p, key.dp, key.p);
  const m2 = modPow(blinded % key.q, key.dq, key.q);
  let h = ((m1 - m2) * key.qinv) % key.p;
  if (h < 0n) h += key.p;
  return ((m2 + h * key.q) * inverse) % key.n;
}

/**
 * Inverse of the client's `rsaEncryptValue`. Every block is processed even after one failed,
 * and every failure (not hex, not whole blocks, out of range, padding, UTF-8) throws the same
 * {@link RsaDecryptError}.
 */
export function rsaDecryptValue(hex: string, key: RsaPrivateKey): string {
  const k = byteLength(key.n);
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(hex);
  } catch {
    throw new RsaDecryptError();
  }
  if (bytes.length === 0 || bytes.length % k !== 0) throw new RsaDecryptError();
  let bad = false;
  const parts = chunks(bytes, k).map((block) => {
    const c = bytesToBigInt(block);
    const inRange = c < key.n;
    bad ||= !inRange;
    const message = unpadType2(bigIntToBytes(rsaPrivateOp(inRange ? c : 0n, key), k));
    bad ||= message === undefined;
    return message ?? new Uint8Array(0);
  });
  if (bad) throw new RsaDecryptError();
  try {
    return utf8Decode(concatBytes(parts));
  } catch {
    throw new RsaDecryptError();
  }
}

/** Signature-style "encryption" of a response with the private key → standard base64. */
export function rsaEncryptResponse(json: string, key: RsaPrivateKey): string {
  const k = byteLength(key.n);
  const blocks = chunks(utf8Encode(json), k - 11).map((block) =>
    bigIntToBytes(rsaPrivateOp(bytesToBigInt(pad(block, k, 1)), key), k),
  );
  return base64Encode(concatBytes(blocks));
}

/** Hex characters a value of at most `bytes` UTF-8 bytes takes: whole k-byte blocks. */
export function rsaEncodedLength(bytes: number, k: number): number {
  return 2 * k * Math.max(1, Math.ceil(bytes / (k - 11)));
}

/** Server side of the RSA mode: holds the private key. */
export function createRsaServerCodec(privateKeyPem: string): ServerCodec {
  const key = parseRsaPrivateKey(privateKeyPem);
  const k = byteLength(key.n);
  return {
    mode: 'rsa',
    // The official clients (t3sdk) send an empty value as an empty field, not as a padded block.
    decodeValue: (value) => (value === '' ? '' : rsaDecryptValue(value, key)),
    encodeResponse: (json) => rsaEncryptResponse(json, key),
    maxEncodedLength: (bytes) => rsaEncodedLength(bytes, k),
  };
}
