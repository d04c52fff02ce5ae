import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { cardField } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const modifyVariable: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = cardField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.modifyVariable({ app, ...fields, values });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.MODIFY_OK });
};
