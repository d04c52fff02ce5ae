import { type AppConfig, type AppSettings, T3_ROUTE_NAMES, type T3RouteName } from './types';

/** The defaults the comments in types.ts document: every check on, as the hosted service ships. */
export function defaultAppSettings(): AppSettings {
  return {
    enabled: true,
    endpoints: Object.fromEntries(T3_ROUTE_NAMES.map((r) => [r, true])) as Record<T3RouteName, boolean>,
    machineCodeCheck: true,
    forbidEmptyDevice: false,
    timestampCheck: { enabled: true, windowSeconds: 60 },
    signatureCheck: 'on',
    codeType: 'string',
    successCode: 200,
    encoding: { mode: 'plain' },
    statecodeValiditySeconds: 600,
    ipBinding: 'off',
    unbindLimit: 3,
    apiCardCreation: true,
    potatoSign: false,
    potatoSignWindowMs: 300_000,
    notice: '',
    version: '1.0.0',
    update: { version: '1.0.0', uplog: '', upurl: '' },
    core: '',
  };
}

/** Fills a partial (config-file) settings object with the defaults; nested objects merge by key. */
export function resolveSettings(partial: AppConfig['settings'] = {}): AppSettings {
  const base = defaultAppSettings();
  // Drop explicit `undefined`s so they do not erase a default.
  const defined = Object.fromEntries(
    Object.entries(partial).filter(([, v]) => v !== undefined),
  ) as NonNullable<AppConfig['settings']>;
  return {
    ...base,
    ...defined,
    endpoints: { ...base.endpoints, ...stripUndefined(partial.endpoints) },
    timestampCheck: { ...base.timestampCheck, ...stripUndefined(partial.timestampCheck) },
    update: { ...base.update, ...stripUndefined(partial.update) },
    encoding: partial.encoding ?? base.encoding,
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
