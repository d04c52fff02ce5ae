// The longest value, in UTF-8 bytes before encoding, each T3 endpoint reads per field. A field
// over its cap is refused (请求参数有误) by its encoded length alone, before any decoding, so an
// unauthenticated request cannot buy RSA work by size. Fields an endpoint does not read are
// signed over but never decoded, so they need no cap (the body limit bounds the hashing).
import type { T3RouteName } from '../../domain/types';

const KAMI = 64; // configured cards are 4–64 ASCII characters; minted ones are 32
const IMEI = 128; // official SDKs send 32 hex (md5), the Node SDK up to 64 (sha256)
const SAFE_CODE = 128; // the SDK's nonce is 16 hex; callers may choose their own
const STATECODE = 64; // md5 hex is 32
const VER = 64;
const USER = 32; // the register rule allows 3–32 ASCII characters
const PASS = 256; // 6–64 characters, up to 4 UTF-8 bytes each
const EMAIL = 256;

/** `t` (10-digit seconds, a little room for a 13-digit mistake) and `s` (32 hex). */
export const T3_CHECK_CAPS = { t: 16, s: 64 } as const;

const caps = (entries: Record<string, number>): ReadonlyMap<string, number> =>
  new Map(Object.entries(entries));

export const T3_FIELD_CAPS: Record<T3RouteName, ReadonlyMap<string, number>> = {
  login: caps({ kami: KAMI, imei: IMEI, safe_code: SAFE_CODE }),
  heartbeat: caps({ statecode: STATECODE, kami: KAMI }),
  query: caps({ kami: KAMI }),
  unbind: caps({ kami: KAMI, imei: IMEI }),
  notice: caps({}),
  version: caps({}),
  check_update: caps({ ver: VER }),
  register: caps({ user: USER, pass: PASS, email: EMAIL }),
  user_login: caps({ user: USER, pass: PASS, imei: IMEI }),
  user_heartbeat: caps({ user: USER, pass: PASS, statecode: STATECODE }),
  recharge: caps({ user: USER, card: KAMI }),
  change_password: caps({ user: USER, oldpass: PASS, newpass: PASS }),
  user_cancel: caps({ user: USER, pass: PASS }),
  get_user_core: caps({ user: USER, pass: PASS }),
  online_user: caps({}),
};
