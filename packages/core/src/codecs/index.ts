import { createAlphabetCodec } from './alphabet-base64';
import { plainCodec } from './plain';
import { createRsaClientCodec, createRsaServerCodec } from './rsa';
import type { ClientCodec, EncodingMode, ServerCodec } from './types';

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
export type { ClientCodec, EncodingMode, ServerCodec } from './types';

/** How an app encodes values: the setting shared by client options and server config. */
export type EncodingOptions =
  | { mode: 'plain' }
  | { mode: 'base64'; alphabet: string }
  | { mode: 'rsa'; publicKey: string; privateKey?: string };

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

export function createServerCodec(encoding: EncodingOptions | undefined): ServerCodec {
  const mode: EncodingMode = encoding?.mode ?? 'plain';
  if (mode === 'plain') return plainCodec;
  if (mode === 'base64') return createAlphabetCodec((encoding as { alphabet: string }).alphabet);
  const privateKey = (encoding as { privateKey?: string }).privateKey;
  if (!privateKey) throw new TypeError('the RSA mode needs the private key on the server');
  return createRsaServerCodec(privateKey);
}
