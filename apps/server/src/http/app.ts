// The HTTP surface: both protocol families, health, OpenAPI, and the operational wrapping
// (request log, CORS, JSON errors: edge.ts, once for both lanes). The T3 endpoints — every
// client's login and heartbeat — are served straight from node:http; everything else is an
// Express app.
import type { IncomingMessage, RequestListener } from 'node:http';
import express, { type Express } from 'express';
import { resolveServerSection, type ServerConfig } from '../config/types';
import type { Clock, KamiService } from '../domain/types';
import { docsPage } from '../openapi/docs-page';
import { openApiDocument } from '../openapi/spec';
import { ADMIN_PREFIX, adminRouter } from './admin/router';
import { clientIpResolver } from './client-ip';
import type { HttpContext } from './context';
import { corsPolicy } from './cors';
import { edge, expressLane } from './edge';
import { POTATO_ENDPOINT_NAMES, potatoRouter } from './potato/router';
import { type LogSink, stdoutLog } from './request-log';
import { requestPath } from './request-path';
import { t3Lane, t3RouteCode } from './t3/router';
import { GuessThrottle } from './throttle';
import { sendJson } from './transport-errors';

export interface CreateAppOptions {
  /** The clock of the service (timestamps, throttle windows). Default `Date.now`. */
  clock?: Clock;
  /** One JSON object per request and per unexpected error. Default: JSON lines on stdout; `false` for none. */
  logger?: false | LogSink;
}

/**
 * The server's request listener, for `http.createServer(createApp(...))` (or any framework that
 * accepts a node:http listener). It answers every request itself, 404 included.
 */
export function createApp(
  service: KamiService,
  config?: Pick<ServerConfig, 'server'>,
  options: CreateAppOptions = {},
): RequestListener {
  const server = resolveServerSection(config?.server);
  const clock = options.clock ?? { now: () => Date.now() };
  const ctx: HttpContext = {
    service,
    clock,
    server,
    throttle: new GuessThrottle(server.throttle, clock, service.sharedAttempts),
    logging: options.logger !== false,
    log: options.logger === false ? () => {} : (options.logger ?? stdoutLog),
    clientIp: clientIpResolver(server.trustProxy),
    cors: corsPolicy(server.corsOrigins),
  };
  const rest = expressLane(ctx, expressApp(ctx), (req) => allowedMethods(ctx, req));
  const t3 = t3Lane(ctx);
  return edge(ctx, (req, res, notes) => {
    const code = req.method === 'POST' ? t3RouteCode(req.url) : undefined;
    return code === undefined ? rest(req, res, notes) : t3(req, res, code, notes);
  });
}

const READ_ONLY = ['GET', 'HEAD'];
const READ_ONLY_PATHS = new Set(['/healthz', '/openapi.json', '/docs']);

/** The methods a known path answers (for 405 and its Allow header); undefined for an unknown path. */
function allowedMethods(ctx: HttpContext, req: IncomingMessage): string[] | undefined {
  const path = requestPath(req);
  if (READ_ONLY_PATHS.has(path)) return READ_ONLY;
  const code = t3RouteCode(req.url);
  if (code !== undefined && ctx.service.resolveRoute(code.toUpperCase())) return ['POST'];
  const potato = /^\/api\/([^/]+)\/?$/.exec(path)?.[1];
  if (potato !== undefined && POTATO_ENDPOINT_NAMES.has(potato)) return ['POST'];
  return undefined;
}

function expressApp(ctx: HttpContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.locals.route = 'healthz';
    sendJson(res, 200, { status: 'ok' });
  });
  const spec = JSON.stringify(openApiDocument());
  app.get('/openapi.json', (_req, res) => {
    res.locals.route = 'openapi';
    res.status(200).type('application/json; charset=utf-8').send(spec);
  });
  app.get('/docs', (_req, res) => {
    res.locals.route = 'docs';
    res
      .status(200)
      .setHeader(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      )
      .type('text/html; charset=utf-8')
      .send(docsPage());
  });

  app.use('/api', potatoRouter(ctx));
  app.use(ADMIN_PREFIX, adminRouter(ctx));
  // No 404 or error handler here: what the app leaves unanswered goes back to the edge.
  return app;
}
