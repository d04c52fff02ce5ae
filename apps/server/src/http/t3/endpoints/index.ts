// The handler table: one file per endpoint of spec/catalogue/t3.json. Every catalogue route has
// a handler or is named in NOT_YET_SERVED (answered 接口未开启); buildHandlerTable refuses
// anything else, at start.
import { T3_ROUTE_NAMES, type T3RouteName } from '../../../domain/types';
import { appSign } from './app_sign';
import { changePassword } from './change_password';
import { checkUpdate } from './check_update';
import { cloudDoc } from './cloud_doc';
import { disable } from './disable';
import { getKamiCore } from './get_kami_core';
import { getUserCore } from './get_user_core';
import { getVariable } from './get_variable';
import { heartbeat } from './heartbeat';
import { heartbeatAny } from './heartbeat_any';
import { ipUnbind } from './ip_unbind';
import { kamiRecharge } from './kami_recharge';
import { login } from './login';
import { modifyCore } from './modify_core';
import { modifyVariable } from './modify_variable';
import { notice } from './notice';
import { onlineKami } from './online_kami';
import { onlineUser } from './online_user';
import { query } from './query';
import { recharge } from './recharge';
import { register } from './register';
import type { T3Handler } from './types';
import { unbind } from './unbind';
import { userCancel } from './user_cancel';
import { userHeartbeat } from './user_heartbeat';
import { userLogin } from './user_login';
import { version } from './version';

export type { T3Call, T3Handler } from './types';

export const SERVED: Partial<Record<T3RouteName, T3Handler>> = {
  login,
  heartbeat,
  query,
  unbind,
  notice,
  version,
  check_update: checkUpdate,
  register,
  user_login: userLogin,
  user_heartbeat: userHeartbeat,
  change_password: changePassword,
  user_cancel: userCancel,
  recharge,
  get_user_core: getUserCore,
  online_user: onlineUser,
  ip_unbind: ipUnbind,
  disable,
  kami_recharge: kamiRecharge,
  get_kami_core: getKamiCore,
  modify_core: modifyCore,
  heartbeat_any: heartbeatAny,
  online_kami: onlineKami,
  app_sign: appSign,
  get_variable: getVariable,
  modify_variable: modifyVariable,
  cloud_doc: cloudDoc,
};

/** Catalogue routes without a handler yet: they answer 接口未开启 whatever the app's switch. */
export const NOT_YET_SERVED: readonly T3RouteName[] = [];

const notServed: T3Handler = async ({ reply }) => reply.fail('ENDPOINT_DISABLED');

export function buildHandlerTable(
  served: Partial<Record<string, T3Handler>>,
  pending: readonly string[],
): Record<T3RouteName, T3Handler> {
  const problems: string[] = [];
  for (const name of Object.keys(served))
    if (!(T3_ROUTE_NAMES as readonly string[]).includes(name)) problems.push(`${name}: not in the catalogue`);
  const table = Object.fromEntries(
    T3_ROUTE_NAMES.map((name) => {
      const handler = served[name];
      if (handler && pending.includes(name)) problems.push(`${name}: served and listed as not yet served`);
      if (!handler && !pending.includes(name)) problems.push(`${name}: no handler`);
      return [name, handler ?? notServed];
    }),
  ) as Record<T3RouteName, T3Handler>;
  if (problems.length > 0) throw new Error(`T3 handler table: ${problems.join('; ')}`);
  return table;
}

export const T3_HANDLERS = buildHandlerTable(SERVED, NOT_YET_SERVED);
