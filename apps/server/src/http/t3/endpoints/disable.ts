import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { credentialFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

/** disable (t3sdk disable_kami; disable_user with `user` + `pass`). */
export const disable: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const credential = credentialFields(values);
  if ('error' in credential) return reply.fail(credential.error);
  const result = await service.disableCard({ app, ...credential });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.DISABLE_OK });
};
