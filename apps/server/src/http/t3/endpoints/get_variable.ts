import { credentialFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

/** get_variable (t3sdk get_variable_by_kami; get_variable_by_user with `user` + `pass`). */
export const getVariable: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const credential = credentialFields(values);
  if ('error' in credential) return reply.fail(credential.error);
  const result = await service.getVariable({ app, values, ...credential });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: result.value });
};
