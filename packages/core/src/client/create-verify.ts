import { createClientCodec } from '../codecs';
import { KamiValidationError } from '../errors';
import { HostRotation } from './failover';
import type { CallOptions, VerifyOptions } from './options';
import { PotatoClient } from './potato-client';
import type { CardListResult, PotatoCard } from './results';
import { buildT3Client, type T3Client } from './t3-client';
import { requireNonEmptyString, validateBaseUrls } from './validate';

export interface VerifyClient extends T3Client {
  /** potatocloud `/api/login`: returns and keeps the `apiUserToken`. */
  potatoLogin(userNumber?: string, passWord?: string, call?: CallOptions): Promise<string>;
  /** potatocloud `/api/createCardMy`: `type` 0–5, `total` 1–10. Needs a reseller secret. */
  createCardMy(input: { type: number; total: number }, call?: CallOptions): Promise<PotatoCard[]>;
  getCardMyList(
    query?: { p?: number; s?: number; cardStr?: string; state?: number; type?: number },
    call?: CallOptions,
  ): Promise<CardListResult>;
}

/**
 * Builds a client from options; the platform wrappers supply `md5` and `transport`.
 * (It pulls in every codec and the potatocloud client; `createT3Client` is the lean variant.)
 */
export function createVerify(options: VerifyOptions): VerifyClient {
  const t3 = buildT3Client(options, () => {
    try {
      return createClientCodec(options.encoding);
    } catch (error) {
      throw new KamiValidationError('encoding', `invalid encoding options: ${(error as Error).message}`);
    }
  });
  const potatoRotation = options.potato?.baseUrl
    ? new HostRotation(validateBaseUrls(options.potato.baseUrl), options.transport)
    : t3.rotation;
  let potato: PotatoClient | undefined;
  const potatoClient = (): PotatoClient => {
    if (!options.potato)
      throw new KamiValidationError('potato', 'potato options (askKey, credentials) are required');
    requireNonEmptyString('potato.askKey', options.potato.askKey);
    potato ??= new PotatoClient({
      options: options.potato,
      rotation: potatoRotation,
      md5: options.md5,
      now: t3.now,
      timeoutMs: t3.timeoutMs,
      maxRetries: t3.maxRetries,
      signal: options.signal,
    });
    return potato;
  };

  return {
    ...t3.client,
    // async, so a missing potato configuration rejects like every other validation error instead
    // of throwing synchronously out of a Promise-returning method.
    potatoLogin: async (userNumber, passWord, call) => potatoClient().login(userNumber, passWord, call),
    createCardMy: async (input, call) => potatoClient().createCardMy(input, call),
    getCardMyList: async (query, call): Promise<CardListResult> => potatoClient().getCardMyList(query, call),
  };
}
