// Every route reads the body as bytes first: size limits and UTF-8 checks happen once, here,
// and each protocol then parses the text the way its signature needs.
import express, { type Request, type RequestHandler } from 'express';
import { HttpError } from './transport-errors';

/** Bytes up to `limit` (413 beyond). Compressed bodies are refused (415): no zip bombs. */
export function rawBody(limit: number): RequestHandler {
  return express.raw({ type: () => true, limit, inflate: false });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function bodyBytes(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** The body as UTF-8 text; invalid UTF-8 is a 400, not replacement characters. */
export function bodyText(req: Request): string {
  try {
    // TextDecoder drops a leading BOM (some Windows HTTP clients send one), which is what we want.
    return strictUtf8.decode(bodyBytes(req));
  } catch {
    throw new HttpError(400, '请求数据不是有效的UTF-8');
  }
}

/** The media type without parameters, lower-cased (`''` when absent). */
export function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
