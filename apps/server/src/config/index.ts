export { DEFAULT_DATA_DIR, describeDatabase, parseDatabaseSpec } from './database';
export { DEMO_APP_NAME, DEMO_USER_NUMBER, demoConfig } from './demo';
export { loadConfigFile } from './load';
export {
  type ResolvedServerSection,
  resolveServerSection,
  SERVER_DEFAULTS,
  type ServerConfig,
  type ServerSection,
  type ThrottleConfig,
} from './types';
export { ConfigError, validateServerConfig } from './validate';
