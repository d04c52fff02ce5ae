// Reads a JSON config file. RSA keys may be inlined or referenced as files next to the config
// (`publicKeyFile` / `privateKeyFile`), so private keys need not live inside the JSON.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ServerConfig } from './types';
import { ConfigError, validateServerConfig } from './validate';

export function loadConfigFile(path: string): ServerConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`],
      file,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`not valid JSON: ${(error as Error).message}`], file);
  }
  inlineKeyFiles(parsed, dirname(file));
  return validateServerConfig(parsed, file);
}

function inlineKeyFiles(config: unknown, baseDir: string): void {
  const apps = (config as { apps?: unknown })?.apps;
  if (!Array.isArray(apps)) return;
  apps.forEach((app, i) => {
    const enc = (app as { settings?: { encoding?: Record<string, unknown> } })?.settings?.encoding;
    if (typeof enc !== 'object' || enc === null) return;
    for (const [fileKey, key] of [
      ['publicKeyFile', 'publicKey'],
      ['privateKeyFile', 'privateKey'],
    ] as const) {
      const ref = enc[fileKey];
      if (ref === undefined) continue;
      delete enc[fileKey];
      if (typeof ref !== 'string')
        throw new ConfigError([`apps[${i}].settings.encoding.${fileKey}: must be a path`]);
      try {
        enc[key] = readFileSync(resolve(baseDir, ref), 'utf8');
      } catch (error) {
        throw new ConfigError([
          `apps[${i}].settings.encoding.${fileKey}: cannot read ${ref}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        ]);
      }
    }
  });
}
