// OpenAPI components generated from spec/catalogue/t3.json for the endpoints whose form and
// reply are not written out in src/schema/replies.ts: the request form (fields in send order)
// and the reply union (the catalogue's success fields, closed, or T3Error).
import { type CatalogueEndpoint, T3_CATALOGUE, type T3RouteName } from '../schema/t3-catalogue';

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const CODE: Schema = { anyOf: [{ type: 'string', pattern: '^\\d+$' }, { type: 'integer' }] };

/** Routes whose form and reply components are hand-written (spec.ts / schema/replies.ts). */
const HAND_WRITTEN: Partial<Record<T3RouteName, { form: string; reply: string }>> = {
  login: { form: 'LoginForm', reply: 'T3LoginReply' },
  heartbeat: { form: 'HeartbeatForm', reply: 'T3HeartbeatReply' },
  query: { form: 'QueryForm', reply: 'T3QueryReply' },
  unbind: { form: 'UnbindForm', reply: 'T3UnbindReply' },
  notice: { form: 'NoticeForm', reply: 'T3NoticeReply' },
  version: { form: 'NoticeForm', reply: 'T3VersionReply' },
  check_update: { form: 'CheckUpdateForm', reply: 'T3CheckUpdateReply' },
};

const pascal = (name: string) => name.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

/** The reply component of a route. */
export function t3ReplyComponent(route: T3RouteName): string {
  return HAND_WRITTEN[route]?.reply ?? `T3${pascal(route)}Reply`;
}

export function t3FormComponent(route: T3RouteName): string {
  return HAND_WRITTEN[route]?.form ?? `${pascal(route)}Form`;
}

function formOf(e: CatalogueEndpoint, common: Record<string, Schema>): Schema {
  const fields = [...e.request, ...(e.variants ?? []).flatMap((v) => v.request)];
  return {
    type: 'object',
    description: `${e.name}: fields in send order ${e.request.map((f) => f.name).join(', ')}${
      e.variants?.length ? `; account variant ${e.variants[0]?.request.map((f) => f.name).join(', ')}` : ''
    }.`,
    properties: {
      ...Object.fromEntries(
        fields.map((f) => [
          f.name,
          { type: 'string', description: `${f.description} (≤ ${f.maxBytes} bytes)` },
        ]),
      ),
      ...common,
    },
  };
}

function successOf(e: CatalogueEndpoint): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: e.success.map((f) => f.name),
    properties: Object.fromEntries(
      e.success.map((f) => (f.name === 'code' ? [f.name, CODE] : [f.name, { description: f.description }])),
    ),
  };
}

/** Form and reply components of every catalogue route that has no hand-written ones. */
export function catalogueSchemas(common: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const e of T3_CATALOGUE.endpoints) {
    const route = e.name as T3RouteName;
    if (HAND_WRITTEN[route]) continue;
    out[t3FormComponent(route)] = formOf(e, common);
    out[`${pascal(route)}Success`] = successOf(e);
    // anyOf: a msg-only success can look like an error reply.
    out[t3ReplyComponent(route)] = { anyOf: [ref(`${pascal(route)}Success`), ref('T3Error')] };
  }
  return out;
}

export const T3_FORM_COMPONENTS = [
  ...new Set(T3_CATALOGUE.endpoints.map((e) => t3FormComponent(e.name as T3RouteName))),
];
export const T3_REPLY_COMPONENTS = T3_CATALOGUE.endpoints.map((e) => t3ReplyComponent(e.name as T3RouteName));
