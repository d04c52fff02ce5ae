#!/usr/bin/env node
// kami-server: the reference server from a shell. The first stdout line is the URL (scripts read
// it), then the banner, then one JSON log line per request.
import { parseArgs } from 'node:util';
import { isCommandGroup } from './cli/commands';
import { parseDatabaseSpec } from './config/database';
import { ConfigError } from './config/validate';
import { createAdminToken, revokeAdminToken } from './domain/admin-tokens';
import type { KamiServiceHandle } from './domain/service';
import { type BannerExtras, formatBanner } from './http/banner';
import { type RunningServer, startServer } from './http/start-server';

const USAGE = `Usage: kami-server [--port <n>] [--host <addr>] [--db <memory|path|postgres-url>] [--config <file.json>]

  --port <n>       TCP port, 0 = any free port (default: $PORT or 8080)
  --host <addr>    Interface to bind (default: 127.0.0.1)
  --db <spec>      memory | a directory for the embedded store | postgres://user@host/db
                   (default: $DATABASE_URL, else ./.kami-data/pglite)
  --config <file>  JSON config with apps and server options (default: a demo app)
  --cors-origin <origin>  A browser origin allowed by CORS, e.g. http://localhost:5173;
                   repeatable, added to the config's server.cors.origins ("*" allows any)
  -h, --help       Show this help

Operator commands (the same as the kami binary; kami-server help lists them):
  kami-server apps|cards|sessions|tokens <command> …   kami-server backup|restore <file> …
`;

function fail(message: string): never {
  process.stderr.write(`kami-server: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        config: { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** The name of the token a demo start makes; the previous start's is revoked first. */
const DEMO_TOKEN_NAME = 'demo-start';

/**
 * What the banner adds for a demo start: a fresh full admin token, so the kami CLI works at once.
 * Only the latest start's token is valid (like the demo password); configured starts make none
 * (their operators run `kami tokens create`).
 */
async function startupExtras(running: RunningServer): Promise<BannerExtras> {
  if (!running.demo) return {};
  const { db } = running.service as KamiServiceHandle;
  await revokeAdminToken(db, DEMO_TOKEN_NAME);
  const { secret } = await createAdminToken(db, { name: DEMO_TOKEN_NAME, scope: 'full' });
  return { adminToken: secret };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (isCommandGroup(argv[0])) {
    const operator = await import('./cli/main');
    return operator.main('kami-server', argv);
  }
  const flags = parse(argv);
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  let port: number | undefined;
  if (flags.port !== undefined) {
    if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65_535)
      fail(`--port must be 0–65535, got ${JSON.stringify(flags.port)}`);
    port = Number(flags.port);
  }
  if (flags.host === '') fail('--host must not be empty');
  if (flags.db === '') fail('--db must not be empty');

  // Signal handlers go in before the server starts: a signal that arrives while the store opens
  // (or right after the URL is printed) must still close cleanly and exit 0.
  let running: RunningServer | undefined;
  let stopping = false;
  const shutdown = (server: RunningServer) =>
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`kami-server: close failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    // A second signal means "now": skip the graceful close.
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`kami-server: ${signal}, closing\n`);
    if (running) void shutdown(running);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    running = await startServer({
      ...(port !== undefined ? { port } : {}),
      ...(flags.host !== undefined ? { host: flags.host } : {}),
      ...(flags.db !== undefined ? { db: flags.db } : {}),
      ...(flags.config !== undefined ? { config: flags.config } : {}),
      // The banner is printed here, once the demo's admin token exists.
      quiet: true,
      ...(flags['cors-origin'] !== undefined ? { corsOrigins: flags['cors-origin'] } : {}),
    });
    process.stdout.write(formatBanner(running, parseDatabaseSpec(flags.db), await startupExtras(running)));
  } catch (error) {
    process.stderr.write(
      `kami-server: ${error instanceof ConfigError ? error.message : `cannot start: ${(error as Error).message}`}\n`,
    );
    process.exit(1);
  }
  if (stopping) await shutdown(running);
}

void main();
