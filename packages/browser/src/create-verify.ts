import {
  createVerify as createCoreVerify,
  KamiValidationError,
  type VerifyClient,
  type VerifyOptions,
} from '@kami-verify/core';
import { type BrowserDefaults, withBrowserDefaults } from './create-session-client';

export interface BrowserVerifyOptions extends Omit<VerifyOptions, 'md5' | 'transport'>, BrowserDefaults {
  /**
   * Allow the potatocloud reseller calls (`potatoLogin`, `createCardMy`, `getCardMyList`).
   * They need reseller credentials, and anything a page holds, every visitor can read: only
   * set this for a page that is itself private (an admin tool behind your own login).
   */
  dangerouslyAllowResellerCalls?: boolean;
}

function refusal(field: string): KamiValidationError {
  return new KamiValidationError(
    field,
    `${field} is refused in the browser: reseller credentials (askKey, passWord, apiUserToken, signSecret) ` +
      'in a web page are readable by every visitor, who could then mint cards. Call it from your server ' +
      '(@kami-verify/node), or pass dangerouslyAllowResellerCalls: true for a private admin page.',
    'NOT_ALLOWED_IN_BROWSER',
  );
}

/** A Kami Verify client for browsers: core's client over `fetch`, with this package's MD5. */
export function createVerify(options: BrowserVerifyOptions): VerifyClient {
  const allowReseller = options.dangerouslyAllowResellerCalls === true;
  // Fail at construction, before a secret gets used: the mistake is having it in the page.
  if (options.potato && !allowReseller) throw refusal('potato');
  const { dangerouslyAllowResellerCalls: _, ...rest } = options;
  const client = createCoreVerify(withBrowserDefaults(rest));
  if (allowReseller) return client;
  return {
    ...client,
    potatoLogin: () => Promise.reject(refusal('potatoLogin')),
    createCardMy: () => Promise.reject(refusal('createCardMy')),
    getCardMyList: () => Promise.reject(refusal('getCardMyList')),
  };
}
