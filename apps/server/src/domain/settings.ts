// App settings defaults come from the schema (src/schema/settings.ts): one `.default()` per setting.
import { type AppSettings, type AppSettingsInput, AppSettingsSchema } from '../schema/settings';

/** The documented defaults: every check on, as the hosted service ships. A fresh object per call. */
export function defaultAppSettings(): AppSettings {
  return AppSettingsSchema.parse({});
}

/**
 * Fills partial (config-file) settings with the defaults; nested objects merge by key and an
 * explicit `undefined` keeps the default. Throws a ZodError for settings the schema refuses.
 */
export function resolveSettings(partial: AppSettingsInput = {}): AppSettings {
  return AppSettingsSchema.parse(partial);
}
