import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { coreFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const modifyCore: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = coreFields(app, values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.modifyCore({ app, ...fields });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.MODIFY_OK });
};
