// What each T3 endpoint does once the shared checks passed. The rules (required fields, card
// rules) are the domain's; this file only maps fields in and replies out.
import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import {
  cardField,
  heartbeatFields,
  isLatestVersion,
  loginFields,
  unbindFields,
  versionField,
} from '../../domain/rules/index';
import type { AppRecord, KamiService, T3RouteName } from '../../domain/types';
import { changePassword } from './endpoints/change-password';
import { getUserCore } from './endpoints/get-user-core';
import { onlineUser } from './endpoints/online-user';
import { recharge } from './endpoints/recharge';
import { register } from './endpoints/register';
import { userCancel } from './endpoints/user-cancel';
import { userHeartbeat } from './endpoints/user-heartbeat';
import { userLogin } from './endpoints/user-login';
import type { T3Reply } from './reply';

export interface T3Call {
  service: KamiService;
  app: AppRecord;
  values: Map<string, string>;
  signText: string | undefined;
  ip: string;
  reply: T3Reply;
  /** Lets the handler put the masked card key on the request log line. */
  logCard(card: string | undefined): void;
}

type Handler = (call: T3Call) => Promise<void>;

const login: Handler = async ({ service, app, values, signText, ip, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = loginFields(app, values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.login({
    ...fields,
    app,
    ip,
    // Only the two-way setup puts the sign text into the token (SDKs accept either formula).
    ...(app.settings.signatureCheck === 'two-way' && signText !== undefined ? { signText } : {}),
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

const heartbeat: Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = heartbeatFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.heartbeat({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE, time: result.time, date: result.date });
};

const query: Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = cardField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.query({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  const { code: _ignored, ...body } = result.body;
  reply.ok(body);
};

const unbind: Handler = async ({ service, app, values, reply, logCard }) => {
  logCard(values.get('kami'));
  const fields = unbindFields(values);
  if ('error' in fields) return reply.fail(fields.error);
  const result = await service.unbind({ ...fields, app });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.UNBIND_OK, change: result.change });
};

const notice: Handler = async ({ app, reply }) => {
  reply.ok({ msg: app.settings.notice });
};

const version: Handler = async ({ app, reply }) => {
  reply.ok({ ver: app.settings.version, msg: app.settings.version });
};

const checkUpdate: Handler = async ({ app, values, reply }) => {
  const fields = versionField(values);
  if ('error' in fields) return reply.fail(fields.error);
  const update = app.settings.update;
  // 201 is the documented "already latest" answer, distinct from the error replies' msg texts.
  if (isLatestVersion(app, fields.ver)) return reply.other(201, { msg: T3_SUCCESS_MESSAGES.ALREADY_LATEST });
  reply.ok({ ver: update.version, version: update.version, uplog: update.uplog, upurl: update.upurl });
};

export const T3_HANDLERS: Record<T3RouteName, Handler> = {
  register,
  user_login: userLogin,
  user_heartbeat: userHeartbeat,
  recharge,
  change_password: changePassword,
  user_cancel: userCancel,
  get_user_core: getUserCore,
  online_user: onlineUser,
  login,
  heartbeat,
  query,
  unbind,
  notice,
  version,
  check_update: checkUpdate,
};
