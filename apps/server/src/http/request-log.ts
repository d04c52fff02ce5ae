// One structured line per request. Handlers add what they know through res.locals (route name,
// app, masked card, result text); secrets (APPKEY, askKey, tokens, passwords, full card keys)
// are never put there. The 调用码 is not logged either: the route name says more and leaks less.
import type { RequestHandler } from 'express';
import { clientIp } from './client-ip';
import { safePath } from './mask';

export type LogSink = (line: object) => void;

export interface RequestLogFields {
  route?: string;
  app?: string;
  card?: string;
  result?: string;
}

export function requestLog(log: LogSink): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const l = res.locals as RequestLogFields;
      log({
        time: new Date().toISOString(),
        level: res.statusCode >= 500 ? 'error' : 'info',
        msg: 'request',
        method: req.method,
        route: l.route ?? 'unmatched',
        ...(l.route === undefined ? { path: safePath(req.path) } : {}),
        ...(l.app !== undefined ? { app: l.app } : {}),
        ...(l.card !== undefined ? { card: l.card } : {}),
        status: res.statusCode,
        ...(l.result !== undefined ? { result: l.result } : {}),
        ms: Number((process.hrtime.bigint() - started) / 10_000n) / 100,
        ip: clientIp(req),
      });
    });
    next();
  };
}

/** The default sink: JSON lines on stdout. */
export const stdoutLog: LogSink = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
