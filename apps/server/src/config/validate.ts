// Validation of a declarative config against the schema (src/schema/config.ts). Every problem is
// reported with its JSON path and a reason, all at once, so an operator fixes a config file in one
// pass instead of one error per start.
import type { z } from 'zod';
import { formatPath, type ServerConfig, ServerConfigSchema } from '../schema/config';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly problems: string[],
    source?: string,
  ) {
    super(`invalid config${source ? ` ${source}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** One `path: reason` line per problem; an unknown-keys issue becomes one line per key. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`)
      : [`${formatPath(issue.path)}: ${issue.message}`],
  );
  return [...new Set(lines)];
}

/** Checks a parsed config and returns it typed; throws {@link ConfigError} listing every problem. */
export function validateServerConfig(input: unknown, source?: string): ServerConfig {
  const result = ServerConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues), source);
  // The input, not the parsed output: defaults are filled where they are used (resolveSettings,
  // resolveServerSection), so a config object round-trips unchanged.
  return input as ServerConfig;
}
