import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { heartbeatFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const heartbeat: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = heartbeatFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.heartbeat({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE, time: result.time, date: result.date });
};
