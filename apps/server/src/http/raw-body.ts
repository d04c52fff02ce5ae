// Every route that takes a body reads it as bytes through readBody: size limits and encoding checks
// happen once, here, and each protocol then parses the text the way its signature needs. A route
// reads it only once it knows the request is wanted (not 404, not throttled).
import type { IncomingMessage } from 'node:http';
import { HttpError } from './transport-errors';

const EMPTY = Buffer.alloc(0);

/**
 * The request body, up to `limit` bytes (413 beyond, announced or not). Compressed bodies are
 * refused (415): no zip bombs. A client that goes away mid-body gets a 400 nobody will read.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const length = req.headers['content-length'];
  if (length === undefined && req.headers['transfer-encoding'] === undefined) return Promise.resolve(EMPTY);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return Promise.reject(new HttpError(415));
  if (length !== undefined && Number(length) > limit) return Promise.reject(tooLarge(req));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(req));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAbort = () => {
      cleanup();
      reject(new HttpError(400));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

/** The rest of an oversized body is discarded and the connection closed after the 413. */
function tooLarge(req: IncomingMessage): HttpError {
  req.resume();
  return new HttpError(413, undefined, { Connection: 'close' });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as UTF-8 text; invalid UTF-8 is a 400, not replacement characters. */
export function utf8Text(bytes: Uint8Array): string {
  try {
    // TextDecoder drops a leading BOM (some Windows HTTP clients send one), which is what we want.
    return strictUtf8.decode(bytes);
  } catch {
    throw new HttpError(400, '请求数据不是有效的UTF-8');
  }
}

/** The media type without parameters, lower-cased (`''` when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
