// potatocloud bodies come as JSON, urlencoded or multipart (the docs: "Content-Type ... 当请求数据
// 非json时此参数传对应格式"). All three become one plain object; JSON keeps its types, the form
// encodings give strings; each endpoint's schema accepts numeric strings where the seed's clients
// send them.
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { fieldsToObject, MalformedBodyError, parseForm } from '../form';
import { multipartBoundary, parseMultipart } from '../multipart';
import { mediaType, utf8Text } from '../raw-body';
import { HttpError } from '../transport-errors';

export type PotatoBody = Record<string, unknown>;

/** Thrown for a body that parsed but is not an object (answered 500 请求参数有误 in the envelope). */
export class BadPotatoBody extends Error {
  override name = 'BadPotatoBody';
}

/** Parses the bytes `readBody` returned, by the request's content type. */
export function parsePotatoBody(req: IncomingMessage, bytes: Buffer): PotatoBody {
  if (bytes.length === 0) return {};
  const type = mediaType(req);
  try {
    if (type === 'application/json' || type === 'text/json' || type.endsWith('+json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(utf8Text(bytes));
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new BadPotatoBody('body is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new BadPotatoBody('body must be a JSON object');
      }
      return parsed as PotatoBody;
    }
    if (type === 'application/x-www-form-urlencoded') return fieldsToObject(parseForm(utf8Text(bytes)));
    if (type === 'multipart/form-data') {
      const boundary = multipartBoundary(req.headers['content-type'] ?? '');
      if (!boundary) throw new HttpError(400, '请求参数有误: multipart boundary missing');
      return parseMultipart(bytes, boundary);
    }
  } catch (error) {
    if (error instanceof MalformedBodyError) throw new HttpError(400);
    throw error;
  }
  throw new HttpError(415);
}

/**
 * Checks a body against its endpoint's schema (src/schema/potato.ts, also the OpenAPI request
 * bodies). A failure names the first field at fault, which picks the envelope message.
 */
export function parsePotatoRequest<T extends z.ZodType>(
  schema: T,
  body: PotatoBody,
): { ok: true; value: z.output<T> } | { ok: false; field: string } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, field: String(result.error.issues[0]?.path[0] ?? '') };
}
