// Every reply the test suite receives is checked against the OpenAPI document the server serves,
// so a reply that drifts from the document fails the test that received it. A vitest setup file
// (vitest.config.ts): it wraps the global fetch, which the helpers, direct fetch calls and core's
// fetch transport all use. Encoded T3 replies (base64 / RSA, text/plain) are decoded with the
// app's codec first, so they are held to the same JSON shapes as plain replies.
import { createClientCodec, decodeT3Body, type EncodingOptions } from '@kami-verify/core';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterEach, expect } from 'vitest';
import { openApiDocument } from '../../src/openapi/spec';
import { t3ReplyComponent } from '../../src/openapi/t3-catalogue-schemas';
import type { T3RouteName } from '../../src/schema/settings';

type Json = Record<string, unknown>;
interface MediaType {
  schema?: Json;
}
interface Response3 {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, Response3>;
}

const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>> };
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strict: true });
// The document's own keys are not JSON Schema keywords; declare them so strict mode allows them.
ajv.addVocabulary(['openapi', 'info', 'servers', 'tags', 'paths', 'components', 'security']);
ajv.addSchema(doc, 'openapi.json');

const compiled = new Map<Json, ValidateFunction>();
function validatorFor(schema: Json): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // A `$ref` is relative to the document; inline schemas here hold no refs.
    const target = typeof schema.$ref === 'string' ? { $ref: `openapi.json${schema.$ref}` } : schema;
    validate = ajv.compile(target);
    compiled.set(schema, validate);
  }
  return validate;
}
const component = (name: string) => validatorFor({ $ref: `#/components/schemas/${name}` });

/** Literal paths before templated ones, as OpenAPI matches them (`/healthz` is not a 调用码). */
const templates = Object.keys(doc.paths)
  .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
  .map((path) => ({ path, pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));

/** 调用码 → endpoint and codec, so a T3 reply is checked against its endpoint's union. */
const routes = new Map<string, { route: T3RouteName; encoding: EncodingOptions }>();
const skipped = new Set<string>();

/** Makes the replies of an app's endpoints checkable per endpoint (and decodable when encoded). */
export function trackApp(appRoutes: Partial<Record<T3RouteName, string>>, encoding: EncodingOptions): void {
  for (const [route, code] of Object.entries(appRoutes) as Array<[T3RouteName, string]>)
    routes.set(code.toUpperCase(), { route, encoding });
}

/** For servers that are not Kami servers (the test harness's control API). */
export function skipReplyValidation(origin: string): void {
  skipped.add(new URL(origin).origin);
}

const violations: string[] = [];
const pending = new Set<Promise<void>>();

/** Why `body` does not match the component `name`, or undefined when it does. */
export function mismatch(name: string, body: unknown): string | undefined {
  const validate = component(name);
  return validate(body) ? undefined : ajv.errorsText(validate.errors);
}

function check(violations: string[], what: string, validate: ValidateFunction, body: unknown): void {
  if (!validate(body)) {
    // Union errors list every branch; the start says enough next to the reply itself.
    const errors = ajv.errorsText(validate.errors).slice(0, 500);
    violations.push(`${what}: ${errors}\n  reply: ${JSON.stringify(body).slice(0, 600)}`);
  }
}

/** What is wrong with one reply, measured against the document (empty when nothing is). */
export async function replyViolations(method: string, url: URL, res: Response): Promise<string[]> {
  const violations: string[] = [];
  await validateReply(violations, method, url, res);
  return violations;
}

async function validateReply(violations: string[], method: string, url: URL, res: Response): Promise<void> {
  const what = `${method} ${url.pathname} → ${res.status}`;
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const text = await res.text();
  // The server reads "/CODE/" as "/CODE" (transport.test.ts pins that), so the document does too.
  const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
  const path = templates.find((t) => t.pattern.test(pathname))?.path;
  const operation = path === undefined ? undefined : doc.paths[path]?.[method.toLowerCase()];
  if (!operation) {
    // A path or method the document does not describe can only answer a transport error.
    if (res.status < 400) return void violations.push(`${what}: not described by the OpenAPI document`);
    const name = pathname.startsWith('/api/') ? 'PotatoTransportError' : 'TransportError';
    return check(violations, `${what} (${name})`, component(name), JSON.parse(text));
  }
  const response = operation.responses[String(res.status)];
  if (!response) return void violations.push(`${what}: status not in the document`);
  if (res.status === 204 || !response.content) return;
  const media = response.content[type];
  if (!media?.schema) return void violations.push(`${what}: content type "${type}" not in the document`);
  if (type === 'text/html') return;
  if (type === 'text/csv') return check(violations, what, validatorFor(media.schema), text);
  if (type === 'application/x-ndjson') {
    // One JSON value per line, each held to the schema.
    for (const line of text.split('\n'))
      if (line !== '') check(violations, what, validatorFor(media.schema), JSON.parse(line));
    return;
  }
  const t3 = path === '/{callCode}' ? routes.get(pathname.slice(1).toUpperCase()) : undefined;
  let body: unknown;
  if (type === 'text/plain') {
    check(violations, what, validatorFor(media.schema), text);
    if (!t3) return void violations.push(`${what}: an encoded reply of an untracked app (call trackApp)`);
    // What the document promises for text/plain: the JSON reply, encoded with the app codec.
    body = decodeT3Body({ status: res.status, headers: {}, body: text }, createClientCodec(t3.encoding));
    check(
      violations,
      `${what} (decoded)`,
      validatorFor(response.content['application/json']?.schema ?? {}),
      body,
    );
  } else {
    body = JSON.parse(text);
    check(violations, what, validatorFor(media.schema), body);
  }
  if (t3 && res.status === 200)
    check(violations, `${what} (${t3.route})`, component(t3ReplyComponent(t3.route)), body);
}

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const res = await realFetch(input, init);
  const url = new URL(input instanceof Request ? input.url : input);
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  if (method !== 'OPTIONS' && method !== 'HEAD' && !skipped.has(url.origin)) {
    const job = validateReply(violations, method, url, res.clone())
      .catch((error: unknown) => {
        violations.push(`${method} ${url.pathname}: ${(error as Error).message}`);
      })
      .finally(() => pending.delete(job));
    pending.add(job);
  }
  return res;
};

afterEach(async () => {
  await Promise.all(pending);
  const found = violations.splice(0);
  expect(found, 'replies that do not match the OpenAPI document').toEqual([]);
});
