// @ts-check
import { KamiApiError, KamiConnectionError, KamiError, KamiVerificationError } from '@kami-verify/node';

/**
 * One line a user can act on, for any failure of login or of the session.
 * @param {unknown} error
 */
export function explain(error) {
  if (KamiApiError.isInstance(error)) {
    switch (error.code) {
      case 'CARD_NOT_FOUND':
        return 'This card does not exist. Check for typos (卡密不存在).';
      case 'CARD_EXPIRED':
        return 'This card has expired (卡密已到期). Renew it to keep using the app.';
      case 'CARD_DISABLED':
        return 'This card has been disabled by the vendor (卡密被禁用).';
      case 'DEVICE_MISMATCH':
        return 'This card is bound to another machine (请在原设备登录). Unbind it first.';
      case 'CARD_USES_EXHAUSTED':
        return 'This card has no uses left (卡密使用次数已达上限).';
      case 'STATECODE_NOT_FOUND':
        return 'The licence server ended this session (状态码不存在).';
      default:
        return `The licence server refused: ${error.serverMessage || error.code}`;
    }
  }
  if (KamiVerificationError.isInstance(error)) {
    return `The licence server's reply failed verification (${error.code}). Check the APPKEY and the system clock.`;
  }
  if (KamiConnectionError.isInstance(error)) return `Cannot reach the licence server: ${error.message}`;
  if (KamiError.isInstance(error)) return `${error.code}: ${error.message}`;
  return String(error instanceof Error ? error.message : error);
}

/** Exit codes a wrapper script can rely on. */
export const EXIT = { ok: 0, usage: 2, licence: 3, network: 4 };

/** @param {unknown} error */
export function exitCodeFor(error) {
  return KamiConnectionError.isInstance(error) ? EXIT.network : EXIT.licence;
}
