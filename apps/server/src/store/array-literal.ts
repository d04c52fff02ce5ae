/**
 * A PostgreSQL array literal (`{"a","b"}`) for a `$n::text[]` parameter. Both drivers accept
 * JS arrays too, but PGlite serialises them element by element in JS; one pre-built string is
 * ~30 % faster for bulk inserts and the SQL stays identical on both engines.
 */
export function textArrayLiteral(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += `"${(values[i] as string).replace(/["\\]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

/** A PostgreSQL array literal of numbers (`{1,NULL,3}`), for the same reason. */
export function numberArrayLiteral(values: ReadonlyArray<number | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    out += v === null || v === undefined ? 'NULL' : String(v);
  }
  return `${out}}`;
}
