export { parseRsaPublicKey, type RsaPublicKey } from './der';
export { createRsaClientCodec, rsaDecryptResponse, rsaEncryptValue } from './public';
