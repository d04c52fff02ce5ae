// The T3 endpoint catalogue (spec/catalogue/t3.json), typed. Route names, field caps and the
// OpenAPI paths are read from it; the literal union below gives the handler table its
// exhaustiveness and is checked against the catalogue when this module loads.
import catalogueJson from '../../../../spec/catalogue/t3.json';

export interface CatalogueField {
  name: string;
  required: boolean;
  /** UTF-8 bytes before encoding. */
  maxBytes: number;
  description: string;
}

export interface CatalogueReplyField {
  name: string;
  description: string;
}

export interface CatalogueEndpoint {
  name: string;
  family: 'card' | 'account' | 'app';
  sdk: string[];
  request: CatalogueField[];
  variants?: { family: 'account'; sdk: string[]; request: CatalogueField[] }[];
  success: CatalogueReplyField[];
  otherReplies?: { code: number; fields: CatalogueReplyField[]; message: string; when: string }[];
  messages: { success: string[]; errors: string[] };
  idempotent: boolean;
  opensSession: boolean;
}

export interface T3Catalogue {
  description: string;
  common: { transport: string; request: CatalogueField[]; replyCode: string; errors: string[] };
  endpoints: CatalogueEndpoint[];
  outOfScope: { name: string; sdk: string[]; reason: string }[];
}

export const T3_CATALOGUE = catalogueJson as T3Catalogue;

/** The catalogue's route names, in its order (a load-time check keeps the two equal). */
const NAMES = [
  'login',
  'heartbeat',
  'query',
  'unbind',
  'ip_unbind',
  'disable',
  'kami_recharge',
  'get_kami_core',
  'modify_core',
  'get_variable',
  'modify_variable',
  'heartbeat_any',
  'online_kami',
  'notice',
  'version',
  'check_update',
  'cloud_doc',
  'app_sign',
  'register',
  'user_login',
  'user_heartbeat',
  'change_password',
  'user_cancel',
  'recharge',
  'get_user_core',
  'online_user',
] as const;
export type T3RouteName = (typeof NAMES)[number];

const fromCatalogue = T3_CATALOGUE.endpoints.map((e) => e.name);
if (fromCatalogue.join() !== NAMES.join())
  throw new Error(
    `spec/catalogue/t3.json lists ${fromCatalogue.join(', ')}; the server's route names are ${NAMES.join(', ')}`,
  );

export const T3_ROUTE_NAMES: readonly T3RouteName[] = NAMES;

const BY_NAME = new Map(T3_CATALOGUE.endpoints.map((e) => [e.name as T3RouteName, e]));

export function catalogueEndpoint(name: T3RouteName): CatalogueEndpoint {
  const e = BY_NAME.get(name);
  if (!e) throw new Error(`no catalogue entry for ${name}`);
  return e;
}
