// get_user_core (获取用户核心数据): user, pass → the account's core data in `msg` (t3sdk reads it there).
import { userPassFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const getUserCore: T3Handler = async ({ service, app, values, reply }) => {
  const fields = userPassFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.userCore({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: result.core });
};
