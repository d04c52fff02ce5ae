// A minimal multipart/form-data reader for the potato API, whose clients (the service's own
// samples, PHP/Java HTTP helpers) post simple text fields this way. Files are not part of the
// protocol, so a part with a filename is rejected instead of being buffered; the body itself is
// already size-limited by the raw body reader. Small enough that a dependency is not worth it.
import { MalformedBodyError } from './form';

export function multipartBoundary(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseMultipart(body: Buffer, boundary: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw new MalformedBodyError('multipart body without its boundary');
  for (;;) {
    at += delimiter.length;
    // `--` right after a delimiter closes the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return out;
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    else throw new MalformedBodyError('malformed multipart delimiter line');
    const next = body.indexOf(delimiter, at);
    if (next < 0) throw new MalformedBodyError('unterminated multipart body');
    // The part ends with CRLF before the next delimiter.
    const part = body.subarray(at, next >= 2 && body[next - 2] === 0x0d ? next - 2 : next);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw new MalformedBodyError('multipart part without headers');
    const headers = part.subarray(0, split).toString('latin1');
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers);
    if (!disposition) throw new MalformedBodyError('multipart part without Content-Disposition: form-data');
    if (/;\s*filename\*?=/i.test(disposition[1]!))
      throw new MalformedBodyError('file uploads are not accepted');
    const name =
      /;\s*name="([^"]*)"/i.exec(disposition[1]!)?.[1] ?? /;\s*name=([^;\s]+)/i.exec(disposition[1]!)?.[1];
    if (name === undefined) throw new MalformedBodyError('multipart part without a field name');
    let value: string;
    try {
      value = decoder.decode(part.subarray(split + 4));
    } catch {
      throw new MalformedBodyError('multipart field is not valid UTF-8');
    }
    const fieldName = Buffer.from(name, 'latin1').toString('utf8');
    if (!(fieldName in out)) out[fieldName] = value;
    at = next;
  }
}
