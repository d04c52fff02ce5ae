// The longest value, in UTF-8 bytes before encoding, each T3 endpoint reads per field
// (spec/catalogue/t3.json `maxBytes`, every variant's fields included). A field over its cap is
// refused (请求参数有误) by its encoded length alone, before any decoding, so an unauthenticated
// request cannot buy RSA work by size. Fields an endpoint does not read are signed over but never
// decoded, so they need no cap (the body limit bounds the hashing).

import type { T3RouteName } from '../../domain/types';
import { T3_CATALOGUE } from '../../schema/t3-catalogue';

/** `t` (10-digit seconds, a little room for a 13-digit mistake) and `s` (32 hex). */
export const T3_CHECK_CAPS = { t: 16, s: 64 } as const;

export const T3_FIELD_CAPS = Object.fromEntries(
  T3_CATALOGUE.endpoints.map((e) => {
    const caps = new Map<string, number>();
    for (const f of [...e.request, ...(e.variants ?? []).flatMap((v) => v.request)])
      caps.set(f.name, Math.max(caps.get(f.name) ?? 0, f.maxBytes));
    return [e.name, caps as ReadonlyMap<string, number>];
  }),
) as Record<T3RouteName, ReadonlyMap<string, number>>;
