import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { statecodeField } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const heartbeatAny: T3Handler = async ({ service, app, values, reply }) => {
  const fields = statecodeField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.heartbeatAny({ app, ...fields });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE, time: result.time, date: result.date });
};
