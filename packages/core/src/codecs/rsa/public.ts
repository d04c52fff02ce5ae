import { base64Decode, bytesToHex, concatBytes, utf8Decode, utf8Encode } from '../../bytes';
import type { ClientCodec } from '../types';
import { bigIntToBytes, byteLength, bytesToBigInt, modPow } from './bigint';
import { parseRsaPublicKey, type RsaPublicKey } from './der';
import { blocksOf, chunks, pad, unpadType1 } from './padding';

// The client's half of the RSA mode: only the public key.

/** Encrypts a value with the public key → uppercase hex of the concatenated blocks. */
export function rsaEncryptValue(value: string, key: RsaPublicKey): string {
  const k = byteLength(key.n);
  const blocks = chunks(utf8Encode(value), k - 11).map((block) =>
    bigIntToBytes(modPow(bytesToBigInt(pad(block, k, 2)), key.e, key.n), k),
  );
  return bytesToHex(concatBytes(blocks), true);
}

/** Recovers a response with the public key and strips the type-1 padding. */
export function rsaDecryptResponse(body: string, key: RsaPublicKey): string {
  const k = byteLength(key.n);
  const parts = blocksOf(base64Decode(body.trim()), k).map((block) => {
    const c = bytesToBigInt(block);
    if (c >= key.n) throw new TypeError('RSA block out of range');
    return unpadType1(bigIntToBytes(modPow(c, key.e, key.n), k));
  });
  return utf8Decode(concatBytes(parts));
}

/** Client side of the RSA mode: needs only the app's public key (PEM or base64 DER). */
export function createRsaClientCodec(publicKeyPem: string): ClientCodec {
  const key = parseRsaPublicKey(publicKeyPem);
  return {
    mode: 'rsa',
    encodeValue: (value) => rsaEncryptValue(value, key),
    decodeResponse: (body) => rsaDecryptResponse(body, key),
  };
}
