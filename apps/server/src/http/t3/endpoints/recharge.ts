// recharge (用户充值): user, card → 充值成功; the card is consumed into the account.
import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { userRechargeFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const recharge: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('card'));
  const fields = userRechargeFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.recharge({ app, user: fields.user, card: fields.card });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.RECHARGE_OK });
};
