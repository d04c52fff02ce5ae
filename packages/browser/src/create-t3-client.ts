import { createT3Client as createCoreT3Client, type T3Client, type T3ClientOptions } from '@kami-verify/core';
import { type BrowserDefaults, withBrowserDefaults } from './create-session-client';

export interface BrowserT3ClientOptions extends Omit<T3ClientOptions, 'md5' | 'transport'>, BrowserDefaults {}

/**
 * The lean client: login, heartbeat, query, unbind, notice, version, checkUpdate — no
 * potatocloud calls, and only the codec you pass (`codec: createAlphabetCodec(alphabet)` or
 * `createRsaClientCodec(publicKey)`; default plain). Prefer it (or `createSessionClient`, with
 * login and heartbeat only) in bundles: about half the size of `createVerify`.
 */
export function createT3Client(options: BrowserT3ClientOptions): T3Client {
  return createCoreT3Client(withBrowserDefaults(options));
}
