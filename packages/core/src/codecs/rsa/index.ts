import type { ClientCodec, ServerCodec } from '../types';
import { parseRsaPrivateKey, parseRsaPublicKey } from './der';
import { rsaDecryptResponse, rsaDecryptValue, rsaEncryptResponse, rsaEncryptValue } from './pkcs1';

export { parseRsaPrivateKey, parseRsaPublicKey, type RsaPrivateKey, type RsaPublicKey } from './der';
export { rsaDecryptResponse, rsaDecryptValue, rsaEncryptResponse, rsaEncryptValue } from './pkcs1';

/** Client side of the RSA mode: needs only the app's public key (PEM or base64 DER). */
export function createRsaClientCodec(publicKeyPem: string): ClientCodec {
  const key = parseRsaPublicKey(publicKeyPem);
  return {
    mode: 'rsa',
    encodeValue: (value) => rsaEncryptValue(value, key),
    decodeResponse: (body) => rsaDecryptResponse(body, key),
  };
}

/** Server side of the RSA mode: holds the private key. */
export function createRsaServerCodec(privateKeyPem: string): ServerCodec {
  const key = parseRsaPrivateKey(privateKeyPem);
  return {
    mode: 'rsa',
    decodeValue: (value) => rsaDecryptValue(value, key),
    encodeResponse: (json) => rsaEncryptResponse(json, key),
  };
}
