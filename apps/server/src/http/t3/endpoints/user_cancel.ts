// user_cancel (用户注销): user, pass → 注销成功; the account and its sessions are deleted.
import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { userPassFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const userCancel: T3Handler = async ({ service, app, values, reply }) => {
  const fields = userPassFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.cancelUser({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.USER_CANCELLED });
};
