// 云文档 (cloud_doc): the document is for whoever holds the token of a live login. The session
// must pass what a heartbeat of it would (live, its card or account still usable); every refusal
// is the one answer token无效, so the reply never tells which part of a stolen or stale token
// failed (disabled, expired, unbound, logged out, never issued).
import type { CardRecord, Fail, UserRecord, UserSessionRecord } from '../types';
import { checkUserHeartbeat } from './account';
import { fail } from './card-state';
import { checkHeartbeat } from './heartbeat';

type Values = ReadonlyMap<string, string>;

/** A session found by its token: a card's (with the card) or an account's (with the account). */
export type FoundTokenSession =
  | { kind: 'card'; session: { expiresAt: number }; card: CardRecord | undefined }
  | { kind: 'user'; session: UserSessionRecord; user: UserRecord };

/** token不可为空. */
export function tokenField(values: Values): { token: string } | Fail {
  const token = values.get('token');
  return token !== undefined && token !== '' ? { token } : fail('TOKEN_REQUIRED');
}

/** undefined when the token's session is live and usable at `nowMs`; else token无效. */
export function checkTokenSession(found: FoundTokenSession | undefined, nowMs: number): Fail | undefined {
  if (!found) return fail('TOKEN_INVALID');
  const refused =
    found.kind === 'card'
      ? checkHeartbeat(found.session, found.card, null, nowMs)
      : checkUserHeartbeat(found, null, nowMs);
  return refused ? fail('TOKEN_INVALID') : undefined;
}
