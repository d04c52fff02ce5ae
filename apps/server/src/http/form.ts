// application/x-www-form-urlencoded, parsed by hand for two reasons: the T3 signature covers
// the fields in the order they were sent (an object would lose order and duplicates), and a
// malformed percent escape must be a clear 400 rather than a silent U+FFFD.

export type Fields = Array<[name: string, value: string]>;

export class MalformedBodyError extends Error {
  override name = 'MalformedBodyError';
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new MalformedBodyError('malformed percent-encoding in the form body');
  }
}

export function parseForm(body: string): Fields {
  const fields: Fields = [];
  if (body.trim() === '') return fields;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    fields.push([name, value]);
  }
  return fields;
}

/** The first value of a field; later duplicates are signed over but otherwise ignored. */
export function firstValue(fields: Fields, name: string): string | undefined {
  for (const [k, v] of fields) if (k === name) return v;
  return undefined;
}

/** Fields as a plain object (first occurrence wins), for the potato API's loose bodies. */
export function fieldsToObject(fields: Fields): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of fields) if (!(k in out)) out[k] = v;
  return out;
}
