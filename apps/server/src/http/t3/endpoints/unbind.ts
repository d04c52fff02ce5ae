import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { unbindFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const unbind: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = unbindFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.unbind({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.UNBIND_OK, change: result.change });
};
