// @kami-verify/browser — card-key (卡密) login and heartbeats for web pages.

// Core's public surface a page needs: errors to branch on, messages, codecs, result and option
// types (not the server-side helpers, which would only weigh down the <script> build).
export type {
  CallOptions,
  CardListResult,
  CheckUpdateResult,
  ClientCodec,
  EncodingOptions,
  HeartbeatResult,
  HttpRequest,
  HttpResponse,
  KamiErrorCode,
  LoginResult,
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
  Transport,
  VerifyClient,
  VerifyOptions,
  VersionResult,
} from '@kami-verify/core';
export {
  createAlphabetCodec,
  createFetchTransport,
  createRsaClientCodec,
  DEFAULTS,
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
} from '@kami-verify/core';
export { type BrowserSessionClientOptions, createSessionClient } from './create-session-client';
export { type BrowserT3ClientOptions, createT3Client } from './create-t3-client';
export { type BrowserVerifyOptions, createVerify } from './create-verify';
export { md5 } from './crypto/md5';
export { DEFAULT_DEVICE_ID_KEY, type DeviceIdOptions, getDeviceId, type StorageLike } from './device-id';
export { type EventMap, TypedEmitter } from './emitter';
export {
  type BeatInfo,
  Heartbeat,
  type HeartbeatClient,
  type HeartbeatEnd,
  type HeartbeatEvents,
  type HeartbeatOptions,
  type HeartbeatSession,
  type HeartbeatState,
  type LostInfo,
  startHeartbeat,
  type TransientErrorInfo,
  type VisibilitySource,
} from './heartbeat';
export { backoffDelayMs, DEFINITIVE_HEARTBEAT_CODES, isDefinitiveHeartbeatError } from './heartbeat-policy';
