import {
  KamiApiError,
  type KamiError,
  type KamiErrorCode,
  KamiRateLimitError,
  KamiValidationError,
  KamiVerificationError,
} from '../errors';
import { type BackoffPolicy, backoffMs } from '../net/backoff';

/**
 * Server answers after which beating again cannot help: the session or the card is gone, the
 * device or app is refused, or the app is misconfigured (wrong APPKEY → 签名有误).
 */
export const DEFINITIVE_HEARTBEAT_CODES: ReadonlySet<KamiErrorCode> = /* @__PURE__ */ new Set<KamiErrorCode>([
  'STATECODE_NOT_FOUND',
  'STATECODE_REQUIRED',
  'CARD_REQUIRED',
  'CARD_NOT_FOUND',
  'CARD_DISABLED',
  'CARD_EXPIRED',
  'CARD_USES_EXHAUSTED',
  'CARD_LOGIN_FORBIDDEN',
  'CARD_NOT_BOUND',
  'DEVICE_REQUIRED',
  'DEVICE_INVALID',
  'DEVICE_MISMATCH',
  'IP_MISMATCH',
  'PROVINCE_MISMATCH',
  'CITY_MISMATCH',
  'APP_DISABLED',
  'ENDPOINT_DISABLED',
  'ENDPOINT_NOT_FOUND',
  'SIGNATURE_REQUIRED',
  'SIGNATURE_INVALID',
  'TIMESTAMP_REQUIRED',
]);

/**
 * Whether a heartbeat failure ends the session. Definitive: the codes above, and every failed
 * client-side check of a reply (token, statecode, clock skew: the reply cannot be trusted) or of
 * our own arguments. Everything else (network, timeouts, 5xx, 429, garbled replies,
 * 验证数据已失效,请重试, unknown messages) is transient: retried with backoff until the
 * statecode's validity runs out.
 */
export function isDefinitiveHeartbeatError(error: KamiError): boolean {
  // API errors first: the error classes are structurally alike, so a negative type guard on one
  // would narrow the others away.
  if (KamiApiError.isInstance(error)) {
    if (error.httpStatus >= 500 || error.httpStatus === 429 || error.httpStatus === 408) return false;
    return DEFINITIVE_HEARTBEAT_CODES.has(error.code);
  }
  return KamiVerificationError.isInstance(error) || KamiValidationError.isInstance(error);
}

/**
 * Delay before heartbeat retry `attempt` (1-based): {@link backoffMs} (exponential, equal
 * jitter), or a 429's Retry-After when that asks for longer.
 */
export function backoffDelayMs(attempt: number, error: KamiError, policy: BackoffPolicy): number {
  const delay = backoffMs(attempt, policy);
  return Math.round(Math.max(delay, (KamiRateLimitError.isInstance(error) && error.retryAfterMs) || 0));
}
