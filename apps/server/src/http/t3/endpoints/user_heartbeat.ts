// user_heartbeat (用户心跳): user, pass, statecode → 在线. The statecode (issued at login, a secret)
// authenticates the session and must be this account's; `pass` is not hashed again per beat.
import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { userHeartbeatFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const userHeartbeat: T3Handler = async ({ service, app, values, reply }) => {
  const fields = userHeartbeatFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.userHeartbeat({ app, user: fields.user, statecode: fields.statecode });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE, time: result.time, date: result.date });
};
