// JSON Schema views of the zod schemas: the published config file schema
// (schema/config.schema.json) and the OpenAPI components. They are generated for zod's input
// side: what a file or a client may send (a setting with a default is optional).
import { z } from 'zod';
import { AdminReplies, AdminRequests } from './admin';
import { ServerConfigSchema } from './config';
import { CardListRequestSchema, CreateCardRequestSchema, PotatoLoginRequestSchema } from './potato';
import * as replies from './replies';
import { RsaEncodingSchema } from './settings';

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of a config file, for editors (`"$schema"`) and other tools. */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(ServerConfigSchema, {
    io: 'input',
    target: 'draft-2020-12',
    override: (ctx) => {
      // A config file may name key files instead of inlining PEM text; loadConfigFile reads them
      // before validation, so only the file's schema has these keys.
      if (ctx.zodSchema !== RsaEncodingSchema) return;
      const json = ctx.jsonSchema as { properties: JsonSchema; required?: string[] } & JsonSchema;
      json.properties.publicKeyFile = {
        type: 'string',
        description: 'Path of the public key PEM, relative to the config file.',
      };
      json.properties.privateKeyFile = {
        type: 'string',
        description: 'Path of the private key PEM, relative to the config file.',
      };
      json.required = ['mode'];
      json.allOf = [
        { anyOf: [{ required: ['publicKey'] }, { required: ['publicKeyFile'] }] },
        { anyOf: [{ required: ['privateKey'] }, { required: ['privateKeyFile'] }] },
      ];
    },
  });
  return {
    $schema: schema.$schema,
    title: 'Kami Verify server config',
    ...schema,
  };
}

/**
 * The OpenAPI `components.schemas` that come from zod: the potatocloud request bodies and every
 * reply shape. One registry, so a shape used inside another (PotatoCard) becomes a `$ref`.
 */
export function openApiComponents(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  const all: Record<string, z.ZodType> = {
    PotatoLoginRequest: PotatoLoginRequestSchema,
    CreateCardRequest: CreateCardRequestSchema,
    CardListRequest: CardListRequestSchema,
    ...replies,
    ...AdminRequests,
    ...AdminReplies,
  };
  for (const [id, schema] of Object.entries(all)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Components are subschemas of the document: no `$schema` / `$id` of their own.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest as JsonSchema]),
  );
}
