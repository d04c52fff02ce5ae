import { cardField } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const getVariable: T3Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = cardField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.getVariable({ app, ...fields, values });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: result.value });
};
