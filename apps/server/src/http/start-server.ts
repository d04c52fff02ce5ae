// startServer: config + store + HTTP listener, and a close() that really lets the process exit
// (keep-alive sockets included).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseDatabaseSpec } from '../config/database';
import { DEMO_USER_NUMBER, demoConfig } from '../config/demo';
import { loadConfigFile } from '../config/load';
import { resolveServerSection, type ServerConfig } from '../config/types';
import { validateServerConfig } from '../config/validate';
import { createKamiService } from '../domain/index';
import type { AppRecord, Clock, DatabaseSpec, KamiService } from '../domain/types';
import { createApp } from './app';
import { formatBanner } from './banner';
import type { LogSink } from './request-log';

export interface StartServerOptions {
  /** TCP port; 0 picks a free one. Default: $PORT or 8080. */
  port?: number;
  /** Default 127.0.0.1 (loopback only; pass 0.0.0.0 to serve a network). */
  host?: string;
  /** 'memory', a file path (embedded PGlite) or a postgres:// URL. Default: $DATABASE_URL, else ./.kami-data/pglite. */
  db?: DatabaseSpec | string;
  /** A config object or the path of a JSON config file. Default: the demo app. */
  config?: ServerConfig | string;
  clock?: Clock;
  /** Request log sink; default JSON lines on stdout, `false` for none. */
  logger?: false | LogSink;
  /** Do not print the startup banner. */
  quiet?: boolean;
  /** Where the banner goes. Default: stdout. */
  print?: (text: string) => void;
  /** Browser origins allowed by CORS, added to the config's `server.cors.origins` (`--cors-origin`). */
  corsOrigins?: readonly string[];
}

export interface DemoInfo {
  app: AppRecord;
  potatoUser: { userNumber: string; passWord: string };
  /** A fresh, unused day card minted at start (for the Node quickstart). */
  card: string;
  /** A second one, so the browser quickstart does not meet the first one's device binding. */
  browserCard: string;
}

export interface RunningServer {
  url: string;
  service: KamiService;
  apps: AppRecord[];
  /** Set when the server runs the demo app (no config given). */
  demo?: DemoInfo;
  server: Server;
  close(): Promise<void>;
}

function resolveConfig(config: ServerConfig | string | undefined): { config: ServerConfig; demo: boolean } {
  if (typeof config === 'string') return { config: loadConfigFile(config), demo: false };
  if (config) return { config: validateServerConfig(config, '(startServer options)'), demo: false };
  return { config: demoConfig(), demo: true };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlFor(address: AddressInfo, host: string): string {
  // A wildcard bind is reachable on loopback; print that rather than an unusable 0.0.0.0.
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${address.port}`;
}

/** The demo app's printed credentials and a fresh, unused day card. */
async function mintDemo(service: KamiService, config: ServerConfig): Promise<DemoInfo> {
  const demoConfig = config.apps[0]!;
  const app = service.listApps().find((a) => a.name === demoConfig.name)!;
  const card = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
  const browserCard = await service.mintCard({ app, card: { kind: 'time', type: 0 } });
  const user = demoConfig.potatoUsers![0]!;
  return {
    app,
    potatoUser: { userNumber: DEMO_USER_NUMBER, passWord: user.passWord },
    card: card.cardStr,
    browserCard: browserCard.cardStr,
  };
}

function withCorsOrigins(config: ServerConfig, extra: readonly string[] | undefined): ServerConfig {
  if (!extra?.length) return config;
  const origins = [...(config.server?.cors?.origins ?? []), ...extra];
  return validateServerConfig(
    { ...config, server: { ...config.server, cors: { ...config.server?.cors, origins } } },
    '--cors-origin',
  );
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveConfig(options.config);
  const demo = resolved.demo;
  const config = withCorsOrigins(resolved.config, options.corsOrigins);
  const db = parseDatabaseSpec(options.db);
  const clock = options.clock ?? { now: () => Date.now() };
  const section = resolveServerSection(config.server);
  const service = await createKamiService({
    db,
    clock,
    apps: config.apps,
    userTokenTtlSeconds: section.userTokenTtlSeconds,
  });

  const app = createApp(service, config, {
    clock,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
  // Node checks these timeouts every `connectionsCheckingInterval` (30 s by default), which made a
  // "30 s" limit anything up to 60 s: check every second, so the documented limits hold to within one.
  const server = createServer({ connectionsCheckingInterval: 1000 }, app);
  server.headersTimeout = section.headersTimeoutSeconds * 1000;
  server.requestTimeout = Math.max(section.requestTimeoutSeconds, section.headersTimeoutSeconds) * 1000;
  server.maxConnections = section.maxConnections;
  // Longer than clients' and proxies' idle timeouts (undici 4 s, nginx 60 s, most load balancers
  // 60 s): the client closes an idle connection first, never the server just as a request is
  // sent on it (the client would see ECONNRESET).
  server.keepAliveTimeout = 65_000;

  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (Number(process.env.PORT) || 8080);
  let address: AddressInfo;
  try {
    address = await listen(server, port, host);
  } catch (error) {
    await service.close();
    throw error;
  }
  const url = urlFor(address, host);

  let demoInfo: DemoInfo | undefined;
  if (demo) {
    try {
      demoInfo = await mintDemo(service, config);
    } catch (error) {
      server.close();
      server.closeAllConnections();
      await service.close();
      throw error;
    }
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open for their timeout; in-flight requests
        // get a short grace period, then everything goes.
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        force.unref();
      });
      await service.close();
    })();
    return closing;
  };

  const running: RunningServer = {
    url,
    service,
    apps: service.listApps(),
    ...(demoInfo ? { demo: demoInfo } : {}),
    server,
    close,
  };
  if (!options.quiet) (options.print ?? ((t: string) => process.stdout.write(t)))(formatBanner(running, db));
  return running;
}
