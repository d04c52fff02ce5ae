// Which credential a card-family call carries. t3sdk calls unbind, ip_unbind, disable,
// modify_core, get_variable and modify_variable with a card (`kami`) or, in its *_user variants,
// with an account (`user` + `pass`) on the same 调用码; the catalogue lists both (`variants`).
import type { Credential, Fail } from '../types';
import { userPassFields } from './account';
import { fail } from './card-state';

type Values = ReadonlyMap<string, string>;

/**
 * `kami` when sent non-empty; else the account's `user` and `pass` when `user` was sent (账号不可为空
 * / 密码不可为空); else 卡密不可为空, as for a card call without its card.
 */
export function credentialFields(values: Values): Credential | Fail {
  const kami = values.get('kami');
  if (kami !== undefined && kami !== '') return { kami };
  if (values.has('user')) return userPassFields(values);
  return fail('CARD_REQUIRED');
}
