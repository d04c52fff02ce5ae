// @kami-verify/browser — card-key (卡密) login and heartbeats for web pages.

// Core's public surface a page needs: errors to branch on, messages, codecs, result and option
// types (not the server-side helpers, which would only weigh down the <script> build).
export type {
  BeatInfo,
  CallOptions,
  CardListResult,
  CheckUpdateResult,
  ClientCodec,
  EncodingOptions,
  EventMap,
  HeartbeatClient,
  HeartbeatEnd,
  HeartbeatEvents,
  HeartbeatResult,
  HeartbeatSession,
  HeartbeatState,
  HttpRequest,
  HttpResponse,
  KamiErrorCode,
  LoginResult,
  LostInfo,
  Md5,
  MessageResult,
  PotatoCard,
  PotatoOptions,
  QueryResult,
  SessionClient,
  SessionClientOptions,
  T3Client,
  T3ClientOptions,
  T3Endpoint,
  T3MessageCode,
  TokenVariant,
  TransientErrorInfo,
  Transport,
  VerifyClient,
  VerifyOptions,
  VersionResult,
} from '@kami-verify/core';
export {
  backoffDelayMs,
  createAlphabetCodec,
  createFetchTransport,
  createRsaClientCodec,
  DEFAULTS,
  DEFINITIVE_HEARTBEAT_CODES,
  isDefinitiveHeartbeatError,
  KamiAbortError,
  KamiApiError,
  KamiConnectionError,
  KamiError,
  KamiRateLimitError,
  KamiResponseError,
  KamiTimeoutError,
  KamiValidationError,
  KamiVerificationError,
  plainCodec,
  T3_MESSAGES,
  T3_SUCCESS_MESSAGES,
  TypedEmitter,
} from '@kami-verify/core';
export { type BrowserSessionClientOptions, createSessionClient } from './create-session-client';
export { type BrowserT3ClientOptions, createT3Client } from './create-t3-client';
export { type BrowserVerifyOptions, createVerify } from './create-verify';
export { md5 } from './crypto/md5';
export { DEFAULT_DEVICE_ID_KEY, type DeviceIdOptions, getDeviceId, type StorageLike } from './device-id';
export {
  Heartbeat,
  type HeartbeatOptions,
  startHeartbeat,
  type VisibilitySource,
} from './heartbeat';
