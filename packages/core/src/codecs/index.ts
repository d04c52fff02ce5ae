import { createAlphabetCodec } from './alphabet-base64';
import { plainCodec } from './plain';
import { createRsaClientCodec } from './rsa';
import type { ClientCodec, EncodingOptions } from './types';

export {
  alphabetBase64Decode,
  alphabetBase64Encode,
  createAlphabetCodec,
  decodeAlphabetValue,
  encodeAlphabetValue,
  validateAlphabet,
} from './alphabet-base64';
export { plainCodec } from './plain';
export * from './rsa';
export type { ClientCodec, EncodingMode, EncodingOptions } from './types';

export function createClientCodec(encoding: EncodingOptions | undefined): ClientCodec {
  switch (encoding?.mode ?? 'plain') {
    case 'plain':
      return plainCodec;
    case 'base64':
      return createAlphabetCodec((encoding as { alphabet: string }).alphabet);
    case 'rsa':
      return createRsaClientCodec((encoding as { publicKey: string }).publicKey);
    default:
      throw new TypeError(`unknown encoding mode ${String((encoding as { mode: unknown }).mode)}`);
  }
}
