import { createAlphabetCodec } from './alphabet-base64';
import { plainCodec } from './plain';
import { createRsaServerCodec } from './rsa/private';
import type { EncodingMode, EncodingOptions, ServerCodec } from './types';

/** The server's codec for an app's encoding setting (RSA needs the private key). */
export function createServerCodec(encoding: EncodingOptions | undefined): ServerCodec {
  const mode: EncodingMode = encoding?.mode ?? 'plain';
  if (mode === 'plain') return plainCodec;
  if (mode === 'base64') return createAlphabetCodec((encoding as { alphabet: string }).alphabet);
  const privateKey = (encoding as { privateKey?: string }).privateKey;
  if (!privateKey) throw new TypeError('the RSA mode needs the private key on the server');
  return createRsaServerCodec(privateKey);
}
