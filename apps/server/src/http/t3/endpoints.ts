// What each T3 endpoint does once the shared checks passed. Card rules live in the domain
// service; this file only maps fields in and replies out.
import { T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import type { AppRecord, KamiService, T3RouteName } from '../../domain/types';
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

const nonEmpty = (value: string | undefined): value is string => value !== undefined && value !== '';

const login: Handler = async ({ service, app, values, signText, ip, reply, logCard }) => {
  const kami = values.get('kami');
  const imei = values.get('imei');
  logCard(kami);
  if (!nonEmpty(kami)) return reply.fail('CARD_REQUIRED');
  if (app.settings.machineCodeCheck && !nonEmpty(imei)) return reply.fail('DEVICE_REQUIRED');
  if (imei?.includes("'")) return reply.fail('DEVICE_INVALID');
  const result = await service.login({
    app,
    kami,
    imei: imei ?? '',
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
  const statecode = values.get('statecode');
  const kami = values.get('kami');
  logCard(kami);
  if (!nonEmpty(statecode)) return reply.fail('STATECODE_REQUIRED');
  const result = await service.heartbeat({ app, statecode, ...(nonEmpty(kami) ? { kami } : {}) });
  if (!result.ok) return reply.fail(result.error);
  reply.ok({ msg: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE, time: result.time, date: result.date });
};

const query: Handler = async ({ service, app, values, reply, logCard }) => {
  const kami = values.get('kami');
  logCard(kami);
  if (!nonEmpty(kami)) return reply.fail('CARD_REQUIRED');
  const result = await service.query({ app, kami });
  if (!result.ok) return reply.fail(result.error);
  const { code: _ignored, ...body } = result.body;
  reply.ok(body);
};

const unbind: Handler = async ({ service, app, values, reply, logCard }) => {
  const kami = values.get('kami');
  const imei = values.get('imei');
  logCard(kami);
  if (!nonEmpty(kami)) return reply.fail('CARD_REQUIRED');
  if (!nonEmpty(imei)) return reply.fail('DEVICE_REQUIRED');
  if (imei.includes("'")) return reply.fail('DEVICE_INVALID');
  const result = await service.unbind({ app, kami, imei });
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
  const ver = values.get('ver');
  if (!nonEmpty(ver)) return reply.fail('VERSION_REQUIRED');
  const update = app.settings.update;
  // 201 is the documented "already latest" answer, distinct from the error replies' msg texts.
  if (ver === update.version) return reply.other(201, { msg: T3_SUCCESS_MESSAGES.ALREADY_LATEST });
  reply.ok({ ver: update.version, version: update.version, uplog: update.uplog, upurl: update.upurl });
};

export const T3_HANDLERS: Record<T3RouteName, Handler> = {
  login,
  heartbeat,
  query,
  unbind,
  notice,
  version,
  check_update: checkUpdate,
};
