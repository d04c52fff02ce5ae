import { loginFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const login: T3Handler = async ({ service, app, values, signText, ip, region, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = loginFields(app, values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.login({
    ...fields,
    app,
    ip,
    ...(region !== undefined ? { region: await region() } : {}),
    // The verified sign text; the login rule decides whether the token hashes it (loginToken).
    ...(signText !== undefined ? { signText } : {}),
  });
  if (!result.ok) return reply.fail(result.error);
  const b = result.body;
  // Exactly the seed's field order; safe_code echoes the decoded request value.
  reply.ok({
    id: b.id,
    end_time: b.end_time,
    amount: b.amount,
    available: b.available,
    token: b.token,
    statecode: b.statecode,
    safe_code: values.get('safe_code') ?? '',
    time: b.time,
    date: b.date,
    imei: b.imei,
    change: b.change,
    core: b.core,
  });
};
