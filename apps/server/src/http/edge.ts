// What every request gets, whichever lane serves it: one request log line, nosniff, CORS (a
// preflight is answered here), and one JSON answer for whatever a lane throws or leaves
// unanswered. The T3 fast lane and the Express app are both plain node:http handlers inside it,
// so each of these concerns exists once.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { HttpContext } from './context';
import { logWhenFinished, type RequestNotes } from './request-log';
import { HttpError, sendError } from './transport-errors';

/** One lane: answers the request, or rejects / calls `fail` for the edge to answer. */
export type Lane = (req: IncomingMessage, res: ServerResponse, notes: RequestNotes) => Promise<void> | void;

export function edge(ctx: HttpContext, lane: Lane): RequestListener {
  return (req, res) => {
    const notes: RequestNotes = {};
    if (ctx.logging) logWhenFinished(ctx.log, ctx.clientIp, req, res, notes);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (ctx.cors(req, res, notes)) return;
    try {
      const done = lane(req, res, notes);
      if (done) done.catch((error: unknown) => sendError(ctx.log, req, res, notes, error));
    } catch (error) {
      sendError(ctx.log, req, res, notes, error);
    }
  };
}

/**
 * An Express app as a lane: its handlers see the request's notes as `res.locals`, and what it
 * does not answer (no route, or an error) comes back here: 404, or the error's answer.
 */
export function expressLane(
  ctx: HttpContext,
  app: (req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void) => void,
  /** The methods a known path answers: another method gets 405 with `Allow`, not 404. */
  allowed: (req: IncomingMessage) => string[] | undefined = () => undefined,
): Lane {
  return (req, res, notes) => {
    (res as ServerResponse & { locals: RequestNotes }).locals = notes;
    app(req, res, (error) => sendError(ctx.log, req, res, notes, error ?? unanswered(req, allowed(req))));
  };
}

function unanswered(req: IncomingMessage, allowed: string[] | undefined): HttpError {
  if (!allowed || allowed.includes(req.method ?? '')) return new HttpError(404);
  req.resume();
  return new HttpError(405, undefined, { Allow: allowed.join(', ') });
}
