// change_password (修改密码): user, oldpass, newpass → 密码修改成功; the account's sessions end.
import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { changePasswordFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const changePassword: T3Handler = async ({ service, app, values, reply }) => {
  const fields = changePasswordFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.changePassword({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.PASSWORD_CHANGED });
};
