// potatocloud request bodies: one schema per endpoint gives the parsed types, the checks the
// router applies and the OpenAPI request bodies. Bodies arrive as JSON, urlencoded or multipart,
// so a number may come as a JSON number or as a string of digits ("1"); extra keys are ignored,
// as the hosted API ignores them.
import { CARD_TYPES, MAX_CARDS_PER_CALL } from '@kami-verify/core';
import { z } from 'zod';

/** A JSON integer, or a form field of digits; parsed to a number and range-checked. */
function formInt(min: number, max: number, description: string) {
  return z
    .union([z.int().min(min).max(max), z.string().regex(/^\s*-?\d{1,9}\s*$/)])
    .transform((v) => Number(v))
    .pipe(z.int().min(min).max(max))
    .describe(`${description} (numeric strings are accepted from form bodies)`);
}

/** Absent, null and "" all mean "not given" (form encoders send empty fields). */
function optional<T extends z.ZodType>(schema: T) {
  return z
    .union([z.null(), z.literal('')])
    .transform(() => undefined)
    .or(schema)
    .optional();
}

const nonEmpty = (description: string) => z.string().min(1).describe(description);
const cardTypeText = CARD_TYPES.map((t) => `${t.type} ${t.name}`).join(', ');

export const PotatoLoginRequestSchema = z.object({
  userNumber: nonEmpty('Reseller account.'),
  passWord: nonEmpty('Password.'),
});

export const CreateCardRequestSchema = z.object({
  type: formInt(0, 5, `Card type: ${cardTypeText}`),
  total: formInt(1, MAX_CARDS_PER_CALL, `Cards to create, 1–${MAX_CARDS_PER_CALL}`),
});

export const CardListRequestSchema = z.object({
  p: optional(formInt(1, 1_000_000, 'Page, from 1 (default 1)')),
  s: optional(formInt(1, 100, 'Page size 1–100 (default 10)')),
  cardStr: optional(z.string().describe('Exact card key filter.')),
  state: optional(formInt(0, 1_000, 'Use state filter')),
  type: optional(formInt(0, 5, `Card type filter: ${cardTypeText}`)),
});

export type PotatoLoginRequest = z.output<typeof PotatoLoginRequestSchema>;
export type CreateCardRequest = z.output<typeof CreateCardRequestSchema>;
export type CardListRequest = z.output<typeof CardListRequestSchema>;
