// The Express app: both protocol families, health, OpenAPI, and the operational wrapping
// (request log, CORS, body limit, JSON errors).
import express, { type Express } from 'express';
import { resolveServerSection, type ServerConfig } from '../config/types';
import type { Clock, KamiService } from '../domain/types';
import { docsPage } from '../openapi/docs-page';
import { openApiDocument } from '../openapi/spec';
import type { HttpContext } from './context';
import { cors } from './cors';
import { potatoRouter } from './potato/router';
import { rawBody } from './raw-body';
import { type LogSink, requestLog, stdoutLog } from './request-log';
import { t3Handler } from './t3/router';
import { LoginThrottle } from './throttle';
import { errorHandler, HttpError, sendJson } from './transport-errors';

export interface CreateAppOptions {
  /** The clock of the service (timestamps, throttle windows). Default `Date.now`. */
  clock?: Clock;
  /** One JSON object per request and per unexpected error. Default: JSON lines on stdout; `false` for none. */
  logger?: false | LogSink;
}

export function createApp(
  service: KamiService,
  config?: Pick<ServerConfig, 'server'>,
  options: CreateAppOptions = {},
): Express {
  const server = resolveServerSection(config?.server);
  const clock = options.clock ?? { now: () => Date.now() };
  const log: LogSink = options.logger === false ? () => {} : (options.logger ?? stdoutLog);
  const ctx: HttpContext = {
    service,
    clock,
    server,
    throttle: new LoginThrottle(server.throttle, clock),
    log,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', server.trustProxy);

  if (options.logger !== false) app.use(requestLog(log));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(cors(server.corsOrigins));

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

  app.use(rawBody(server.bodyLimit));
  app.use('/api', potatoRouter(ctx));
  app.post('/:code', t3Handler(ctx));

  app.use((_req, _res, next) => next(new HttpError(404)));
  app.use(errorHandler(log));
  return app;
}
