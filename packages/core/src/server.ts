// @kami-verify/core/server — the server's half of the protocol: decoding request values,
// checking signatures, building replies, and the RSA private key. Kept out of the main entry
// so a client bundle cannot pick it up by accident.

export {
  createRsaServerCodec,
  RsaDecryptError,
  rsaDecryptValue,
  rsaEncodedLength,
  rsaEncryptResponse,
  rsaPrivateOp,
} from './codecs/rsa/private';
export { parseRsaPrivateKey, type RsaPrivateKey } from './codecs/rsa/private-key';
export { createServerCodec } from './codecs/server-codec';
export type { ServerCodec } from './codecs/types';
export { potatoEnvelope } from './potato/envelope-builder';
export { verifyT3Signature } from './t3/verify';
