// Cloud variables (云变量): defined per app in its settings, read and (when writable) written by
// a client holding a valid card.
import type { AppRecord, CardRecord, Fail } from '../types';
import { checkExists, fail, isExhausted, isExpired } from './card-state';

type Values = ReadonlyMap<string, string>;
type Variable = AppRecord['settings']['variables'][number];
const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * The variable a request names: by `valueid`; a non-empty `valuename` must be that variable's
 * name (a request with only a name looks it up by name). 变量ID不可为空 when both are empty.
 */
export function findVariable(app: AppRecord, values: Values): { variable: Variable } | Fail {
  const id = values.get('valueid');
  const name = values.get('valuename');
  if (!present(id) && !present(name)) return fail('VARIABLE_REQUIRED');
  const variable = app.settings.variables.find((v) =>
    present(id) ? v.id === id && (!present(name) || v.name === name) : v.name === name,
  );
  return variable ? { variable } : fail('VARIABLE_NOT_FOUND');
}

/** modify_variable: the new value (may be empty) within variableMaxBytes, a writable variable. */
export function variableWrite(app: AppRecord, variable: Variable, values: Values): { value: string } | Fail {
  if (!variable.writable) return fail('VARIABLE_READ_ONLY');
  const value = values.get('valuecontent') ?? '';
  if (new TextEncoder().encode(value).length > app.settings.variableMaxBytes) return fail('DATA_TOO_LONG');
  return { value };
}

/** A card that may use variables: exists, enabled, not expired, uses not exhausted. */
export function checkUsableCard(card: CardRecord | undefined, now: number): Fail | undefined {
  const refused = checkExists(card);
  if (refused || !card) return refused ?? fail('CARD_NOT_FOUND');
  if (isExpired(card, now)) return fail('CARD_EXPIRED');
  if (card.activatedAt !== null && isExhausted(card)) return fail('CARD_USES_EXHAUSTED');
  return undefined;
}
