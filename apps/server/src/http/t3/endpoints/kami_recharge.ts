import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { rechargeFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const kamiRecharge: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('target_kami'));
  const fields = rechargeFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.kamiRecharge({ app, ...fields });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.RECHARGE_OK });
};
