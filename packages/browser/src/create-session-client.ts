import {
  createSessionClient as createCoreSessionClient,
  createFetchTransport,
  type Md5,
  type SessionClient,
  type SessionClientOptions,
  type Transport,
} from '@kami-verify/core';
import { md5 } from './crypto/md5';

/** What the browser clients inject when not given: our MD5 (WebCrypto has none) and `fetch`. */
export interface BrowserDefaults {
  /** Default: this package's {@link md5} (WebCrypto has none). */
  md5?: Md5;
  /**
   * Default: the page's `fetch`. Browsers report every network failure the same way (a bare
   * `TypeError`), so a failed login is never resent to the next `baseUrl` — it might have
   * reached the server. Idempotent calls (heartbeat, query...) still fail over.
   */
  transport?: Transport;
}

export function withBrowserDefaults<T extends BrowserDefaults>(options: T): T & Required<BrowserDefaults> {
  return { ...options, md5: options.md5 ?? md5, transport: options.transport ?? createFetchTransport() };
}

export interface BrowserSessionClientOptions
  extends Omit<SessionClientOptions, 'md5' | 'transport'>,
    BrowserDefaults {}

/**
 * The leanest client: `login` and `heartbeat` only — what a page that logs in and keeps the
 * session alive needs. Pass the codec if the app encodes values (`createAlphabetCodec(alphabet)`
 * or `createRsaClientCodec(publicKey)`; default plain). Same checks and errors as the others.
 */
export function createSessionClient(options: BrowserSessionClientOptions): SessionClient {
  return createCoreSessionClient(withBrowserDefaults(options));
}
