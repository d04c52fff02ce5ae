import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { credentialFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

/** ip_unbind (t3sdk ip_unbind_kami; ip_unbind_user with `user` + `pass`). */
export const ipUnbind: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const credential = credentialFields(values);
  if ('error' in credential) return reply.fail(credential.error);
  const result = await service.ipUnbind({ app, ...credential });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.IP_UNBIND_OK });
};
