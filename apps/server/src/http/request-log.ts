// One structured line per request. Handlers add what they know to the request's notes (route
// name, app, masked card, result text); secrets (APPKEY, askKey, tokens, passwords, full card
// keys) are never put there. The 调用码 is not logged either: the route name says more and leaks less.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientIpResolver } from './client-ip';
import { safePath } from './mask';
import { requestPath } from './request-path';

export type LogSink = (line: object) => void;

/** What a handler learned about a request, for its log line (Express handlers see it as `res.locals`). */
export interface RequestNotes {
  route?: string;
  app?: string;
  card?: string;
  result?: string;
}

/** Writes the request's log line once its response has finished. */
export function logWhenFinished(
  log: LogSink,
  clientIp: ClientIpResolver,
  req: IncomingMessage,
  res: ServerResponse,
  notes: RequestNotes,
): void {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    log({
      time: new Date().toISOString(),
      level: res.statusCode >= 500 ? 'error' : 'info',
      msg: 'request',
      method: req.method,
      route: notes.route ?? 'unmatched',
      ...(notes.route === undefined ? { path: safePath(requestPath(req)) } : {}),
      ...(notes.app !== undefined ? { app: notes.app } : {}),
      ...(notes.card !== undefined ? { card: notes.card } : {}),
      status: res.statusCode,
      ...(notes.result !== undefined ? { result: notes.result } : {}),
      ms: Number((process.hrtime.bigint() - started) / 10_000n) / 100,
      ip: clientIp(req),
    });
  });
}

/** The default sink: JSON lines on stdout. */
export const stdoutLog: LogSink = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
