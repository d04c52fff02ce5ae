import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { credentialFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

/** modify_variable (t3sdk modify_variable_by_kami; modify_variable_by_user with `user` + `pass`). */
export const modifyVariable: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const credential = credentialFields(values);
  if ('error' in credential) return reply.fail(credential.error);
  const result = await service.modifyVariable({ app, values, ...credential });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.MODIFY_OK });
};
