// user_login (用户登录): user, pass, imei → the account's login reply, token and statecode as a
// card login's (the fields t3sdk reads).
import { userLoginFields } from '../../../domain/rules/index';
import type { T3Handler } from './types';

export const userLogin: T3Handler = async ({ service, app, values, signText, ip, region, reply }) => {
  const fields = userLoginFields(app, values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.userLogin({
    ...fields,
    app,
    ip,
    ...(region !== undefined ? { region: await region() } : {}),
    ...(signText !== undefined ? { signText } : {}),
  });
  if (!result.ok) return reply.fail(result.error);
  const b = result.body;
  reply.ok({
    id: b.id,
    end_time: b.end_time,
    token: b.token,
    statecode: b.statecode,
    time: b.time,
    date: b.date,
    recharge: b.recharge,
    use_time: b.use_time,
    available: b.available,
    imei: b.imei,
    change: b.change,
    core: b.core,
  });
};
