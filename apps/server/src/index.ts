// @kami-verify/server — the reference server as a library.

export {
  ConfigError,
  loadConfigFile,
  parseDatabaseSpec,
  type ServerConfig,
  type ServerSection,
  type ThrottleConfig,
  validateServerConfig,
} from './config/index';
export {
  ADMIN_TOKEN_PREFIX,
  type CreateAdminTokenInput,
  createAdminToken,
  listAdminTokens,
  revokeAdminToken,
} from './domain/admin-tokens';
export { createKamiService } from './domain/index';
export type {
  AppConfig,
  AppRecord,
  AppSettings,
  CardKind,
  CardRecord,
  Clock,
  DatabaseSpec,
  KamiService,
  T3RouteName,
} from './domain/types';
export { type CreateAppOptions, createApp } from './http/app';
export type { LogSink } from './http/request-log';
export { type DemoInfo, type RunningServer, type StartServerOptions, startServer } from './http/start-server';
