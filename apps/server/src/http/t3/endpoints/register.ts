// register (用户注册): user, pass, optional email → 注册成功.
import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { registerFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const register: T3Handler = async ({ service, app, values, ip, reply }) => {
  const fields = registerFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.registerUser({ ...fields, app, ip });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.REGISTER_OK });
};
