import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { coreValue, credentialFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

/** modify_core (t3sdk modify_core_by_kami; modify_core_by_user with `user` + `pass`). */
export const modifyCore: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const credential = credentialFields(values);
  if ('error' in credential) return reply.fail(credential.error);
  const core = coreValue(app, values);
  if ('error' in core) return reply.fail(core.error);
  const result = await service.modifyCore({ app, core: core.core, ...credential });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.MODIFY_OK });
};
