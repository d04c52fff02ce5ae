// The domain: the service, its contract (types.ts) and the pure card rules (rules/).
export { openDatabase } from '../store/index';
export type { Database, Queryable, QueryResult, Row } from '../store/types';
export { createSnowflake, newAppKey, newAskKey, newCardStr, newRouteCode, SNOWFLAKE_EPOCH_MS } from './ids';
export { wireId } from './rules/index';
export { createKamiService, type KamiServiceHandle, SWEEP_BATCH, SWEEP_INTERVAL_MS } from './service';
export { defaultAppSettings, resolveSettings } from './settings';
export * from './types';
