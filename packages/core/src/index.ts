// @kami-verify/core — the protocol, isomorphic: no Node-only or DOM-only API. This entry is what
// clients need; the server's half (value decoding, signature checks, the RSA private key) is
// `@kami-verify/core/server` (src/server.ts).

export {
  base64Decode,
  base64Encode,
  bytesToHex,
  hexToBytes,
  timingSafeEqualString,
  utf8Decode,
  utf8Encode,
} from './bytes';
export {
  CARD_TYPES,
  type CardType,
  cardTypeAmount,
  cardTypeDurationSeconds,
  isCardType,
  MAX_CARDS_PER_CALL,
} from './card-types';
export type { AccountClient } from './client/account-client';
export { createVerify, type VerifyClient } from './client/create-verify';
export { type FailoverPolicy, HostRotation } from './client/failover';
export {
  type CallOptions,
  DEFAULTS,
  type PotatoOptions,
  T3_ENDPOINTS,
  type T3Endpoint,
  type VerifyOptions,
} from './client/options';
export type * from './client/results';
export { createSessionClient, type SessionClient, type SessionClientOptions } from './client/session-client';
export { createT3Client, type T3Client, type T3ClientOptions } from './client/t3-client';
export { validateCreateCard, validateImei } from './client/validate';
export * from './codecs';
export * from './errors';
export { createNodeMd5, type Md5, type NodeCryptoHashes } from './hash';
export { type EventMap, TypedEmitter } from './heartbeat/emitter';
export {
  type BeatInfo,
  HEARTBEAT_DEFAULTS,
  type HeartbeatClient,
  type HeartbeatEnd,
  type HeartbeatEvents,
  HeartbeatLoop,
  type HeartbeatOptions,
  type HeartbeatPlatform,
  type HeartbeatSession,
  type HeartbeatState,
  type LostInfo,
  startHeartbeatLoop,
  type TransientErrorInfo,
} from './heartbeat/loop';
export { backoffDelayMs, DEFINITIVE_HEARTBEAT_CODES, isDefinitiveHeartbeatError } from './heartbeat/policy';
export * from './messages';
export { type BackoffPolicy, backoffMs } from './net/backoff';
export { errorCodes, neverConnected } from './net/connect-errors';
export { createFetchTransport } from './net/fetch-transport';
export { parseRetryAfterMs } from './net/retry-after';
export type { HttpRequest, HttpResponse, Transport } from './net/transport';
export type { PotatoCard, PotatoEnvelope } from './potato/envelope';
export { buildPotatoHeaders, computePotatoSign, type PotatoCredentials } from './potato/sign';
export { decodeT3Body, isT3Success, type T3Body } from './t3/response';
export {
  buildSignText,
  computeSignature,
  encodeForm,
  type FormFields,
  type SignedT3Request,
  signT3Request,
} from './t3/sign';
export {
  formatBeijingDateTime,
  formatBeijingMinute,
  PERMANENT_END_TIME,
  parseBeijingDateTime,
  unixSeconds,
} from './t3/time';
export {
  checkClockSkew,
  computeLoginToken,
  computeStatecode,
  type LoginProof,
  type TokenVariant,
  type VerifyLoginOptions,
  verifyLoginToken,
} from './t3/token';
