import { tokenField } from '../../../domain/rules/cloud-doc';
import type { T3Handler } from './types';

export const cloudDoc: T3Handler = async ({ service, app, values, reply }) => {
  const fields = tokenField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.cloudDoc({ app, token: fields.token });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: result.value });
};
