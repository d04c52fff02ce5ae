// Options and helpers every server-backed command shares.
import type { Command } from 'commander';
import { AdminClient, resolveServer, type ServerFlags, serverOptions } from './client';
import type { CliContext } from './context';
import type { FormatFlags } from './output';

export interface ServerCommandFlags extends ServerFlags, FormatFlags {}

/** --url, --token-file, --token, --json, --csv on a command that talks to the admin API. */
export function serverCommand(cmd: Command): Command {
  for (const o of serverOptions()) cmd.addOption(o);
  return cmd.option('--json', 'print JSON (for scripts)').option('--csv', 'print CSV (for scripts)');
}

export const clientFor = (flags: ServerFlags, ctx: CliContext) => new AdminClient(resolveServer(flags, ctx));

/** An --app option, required: every card and session command names its app (id or name). */
export const APP_OPTION = ['--app <app>', 'the app, by name or id'] as const;

export const appPath = (app: string) => `/apps/${encodeURIComponent(app)}`;

/** Milliseconds → ISO 8601 (tables); null stays empty. */
export const msTime = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString() : v);
/** Unix seconds → ISO 8601 (tables). */
export const secTime = (v: unknown) =>
  typeof v === 'number' ? new Date(v * 1000).toISOString().replace('.000Z', 'Z') : v;

/** Reads lines of keys from stdin when the only argument is `-`. */
export async function keysFrom(args: string[]): Promise<string[]> {
  if (!(args.length === 1 && args[0] === '-')) return args;
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'key');
}
