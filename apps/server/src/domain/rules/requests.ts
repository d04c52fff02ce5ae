// The request rules of the T3 family that come before any card is read: the app and endpoint
// switches, and the fields each endpoint requires. HTTP decodes the fields and asks these.
import type { AppRecord, Credential, Fail, T3RouteName } from '../types';
import { fail } from './card-state';
import { credentialFields } from './credential';

/** 程序未开启 / 接口未开启: checked first, before the timestamp and the signature (the hosted order). */
export function endpointRefusal(app: AppRecord, route: T3RouteName): Fail | undefined {
  if (!app.settings.enabled) return fail('APP_DISABLED');
  if (!app.settings.endpoints[route]) return fail('ENDPOINT_DISABLED');
  return undefined;
}

type Values = ReadonlyMap<string, string>;
const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/** A machine code may not contain `'` (机器码不合法,因为存在'号). */
function deviceRefusal(imei: string | undefined): Fail | undefined {
  return imei?.includes("'") ? fail('DEVICE_INVALID') : undefined;
}

/** login: 卡密不可为空; 机器码不可为空 when the app binds devices; the `'` check. */
export function loginFields(app: AppRecord, values: Values): { kami: string; imei: string } | Fail {
  const kami = values.get('kami');
  const imei = values.get('imei');
  if (!present(kami)) return fail('CARD_REQUIRED');
  if (app.settings.machineCodeCheck && !present(imei)) return fail('DEVICE_REQUIRED');
  return deviceRefusal(imei) ?? { kami, imei: imei ?? '' };
}

/** unbind: the card and the device it is bound to are both required. */
/** unbind: the card (or the account of unbind_user) and the device to unbind (机器码不可为空). */
export function unbindFields(values: Values): { credential: Credential; imei: string } | Fail {
  const credential = credentialFields(values);
  if ('error' in credential) return credential;
  const imei = values.get('imei');
  if (!present(imei)) return fail('DEVICE_REQUIRED');
  return deviceRefusal(imei) ?? { credential, imei };
}

export function cardField(values: Values): { kami: string } | Fail {
  const kami = values.get('kami');
  return present(kami) ? { kami } : fail('CARD_REQUIRED');
}

/** heartbeat: 状态码不可为空; `kami`, when sent, must be the statecode's card. */
export function heartbeatFields(values: Values): { statecode: string; kami?: string } | Fail {
  const statecode = values.get('statecode');
  const kami = values.get('kami');
  if (!present(statecode)) return fail('STATECODE_REQUIRED');
  return present(kami) ? { statecode, kami } : { statecode };
}

export function versionField(values: Values): { ver: string } | Fail {
  const ver = values.get('ver');
  return present(ver) ? { ver } : fail('VERSION_REQUIRED');
}

/** check_update: "already latest" (a 201 reply) when the client runs the configured version. */
export function isLatestVersion(app: AppRecord, ver: string): boolean {
  return ver === app.settings.update.version;
}

/**
 * Whether the app refuses replayed signatures: only with its replayProtection on, and only when
 * requests are both signed and timestamped (otherwise there is no window to remember them for).
 */
export function replayCheckApplies(app: AppRecord): boolean {
  const s = app.settings;
  return s.replayProtection && s.signatureCheck !== 'off' && s.timestampCheck.enabled;
}

/**
 * The sign text the login token hashes, if any: with loginToken 'auto' (default) whenever the
 * request's signature was verified, as the hosted service does; 'signed' only with two-way
 * signing; 'basic' never.
 */
export function tokenSignText(app: AppRecord, signText: string | undefined): string | undefined {
  const mode = app.settings.loginToken;
  if (mode === 'basic') return undefined;
  if (mode === 'signed' && app.settings.signatureCheck !== 'two-way') return undefined;
  return signText;
}
