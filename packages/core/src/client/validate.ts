import { isCardType, MAX_CARDS_PER_CALL } from '../card-types';
import { KamiValidationError } from '../errors';

export function requireNonEmptyString(field: string, value: unknown): string {
  // From plain JavaScript, `login(card, { signal })` lands the options in this string's place.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    throw new KamiValidationError(
      field,
      `${field} must be a non-empty string, but an object was passed in its place — options (such as { signal }) go after it: pass ${field} first, or undefined where it is optional`,
    );
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new KamiValidationError(field, `${field} must be a non-empty string`);
  }
  return value;
}

/** The machine code must not contain `'` (机器码不合法,因为存在'号). */
export function validateImei(imei: unknown): string {
  const value = requireNonEmptyString('imei', imei);
  if (value.includes("'"))
    throw new KamiValidationError('imei', "imei must not contain ' (机器码不合法,因为存在'号)");
  return value;
}

export function validateCreateCard(input: { type: unknown; total: unknown }): {
  type: number;
  total: number;
} {
  if (!isCardType(input.type)) {
    throw new KamiValidationError(
      'type',
      'type must be an integer 0–5 (0 天卡, 1 周卡, 2 月卡, 3 季卡, 4 年卡, 5 永久卡)',
    );
  }
  const total = input.total;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 1 || total > MAX_CARDS_PER_CALL) {
    throw new KamiValidationError('total', `total must be an integer 1–${MAX_CARDS_PER_CALL}`);
  }
  return { type: input.type, total };
}

export function validateBaseUrls(baseUrl: unknown): string[] {
  const list = typeof baseUrl === 'string' ? [baseUrl] : Array.isArray(baseUrl) ? [...baseUrl] : [];
  if (list.length === 0)
    throw new KamiValidationError('baseUrl', 'baseUrl must be a URL or a non-empty list of URLs');
  return list.map((url) => {
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url)) {
      throw new KamiValidationError('baseUrl', `baseUrl ${JSON.stringify(url)} is not an http(s) URL`);
    }
    return url.replace(/\/+$/, '');
  });
}

/** A 调用码 becomes `/<code>`; a path is used as given. */
export function routePath(route: string): string {
  return route.startsWith('/') ? route : `/${route}`;
}
