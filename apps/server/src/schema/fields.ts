// Field builders that carry the config file's error wording. zod's own messages name types
// ("expected number, received string"); an operator fixing a config file wants the rule instead,
// so every builder gives all of its checks one message that states what the field must be.
import { z } from 'zod';

export const bool = () => z.boolean({ error: 'must be true or false' });

export function int(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const error =
    max === Number.MAX_SAFE_INTEGER
      ? `must be an integer of at least ${min}`
      : `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

export function str(opts: { nonEmpty?: boolean; pattern?: RegExp; hint?: string } = {}) {
  let schema = z.string({ error: 'must be a string' });
  if (opts.nonEmpty) schema = schema.min(1, { error: 'must not be empty' });
  if (opts.pattern)
    schema = schema.regex(opts.pattern, { error: `must be ${opts.hint ?? `like ${opts.pattern}`}` });
  return schema;
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

/**
 * An object that rejects unknown keys: a typo ("signatureChek") would otherwise silently keep a
 * default. The message lists the keys that are allowed.
 */
export function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `unknown key (expected one of: ${allowed})` : 'must be an object',
  });
}

/** Hex text such as the `core` data: pairs of hex digits. */
export const hexText = () => str({ pattern: /^([0-9a-fA-F]{2})*$/, hint: 'hex text' });
