import {
  KamiApiError,
  type KamiError,
  type KamiErrorCode,
  KamiRateLimitError,
  KamiValidationError,
  KamiVerificationError,
} from '@kami-verify/core';

/**
 * Server answers after which beating again cannot help: the session or the card is gone, the
 * device or app is refused, or the app is misconfigured (wrong APPKEY → 签名有误).
 * The same list as @kami-verify/node, so both SDKs end sessions alike.
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
 * Whether a heartbeat failure ends the session: the codes above, and every failed client-side
 * check of a reply (clock skew, ...: the reply cannot be trusted) or of our own arguments.
 * Everything else (network, timeouts, 5xx, 429, garbled replies, unknown messages) is transient.
 */
export function isDefinitiveHeartbeatError(error: KamiError): boolean {
  if (KamiApiError.isInstance(error)) {
    if (error.httpStatus >= 500 || error.httpStatus === 429 || error.httpStatus === 408) return false;
    return DEFINITIVE_HEARTBEAT_CODES.has(error.code);
  }
  return KamiVerificationError.isInstance(error) || KamiValidationError.isInstance(error);
}

/**
 * Delay before retry `attempt` (1-based): exponential with "equal jitter" (half fixed, half
 * random), so the tabs of many users that lost the server together do not return in step.
 * A 429's Retry-After is honoured when it asks for longer.
 */
export function backoffDelayMs(
  attempt: number,
  error: KamiError,
  policy: { initialMs: number; maxMs: number; random: () => number },
): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  const delay = cap / 2 + policy.random() * (cap / 2);
  const retryAfter = KamiRateLimitError.isInstance(error) ? error.retryAfterMs : undefined;
  return Math.round(retryAfter !== undefined && retryAfter > delay ? retryAfter : delay);
}
