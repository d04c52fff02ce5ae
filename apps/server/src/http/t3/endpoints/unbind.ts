import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { unbindFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

/** unbind (t3sdk unbind_kami; unbind_user with `user` + `pass`). */
export const unbind: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = unbindFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.unbind({ app, imei: fields.imei, ...fields.credential });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.UNBIND_OK, change: result.change });
};
