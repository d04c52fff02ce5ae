// JSON Schema views of the zod schemas: the published config file schema
// (schema/config.schema.json) and the OpenAPI components. Both describe what a client *sends*,
// so they are generated for zod's input side: a setting with a default is optional.
import { z } from 'zod';
import { ServerConfigSchema } from './config';
import { CardListRequestSchema, CreateCardRequestSchema, PotatoLoginRequestSchema } from './potato';
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

/** A request schema as an OpenAPI 3.1 component (2020-12 JSON Schema without `$schema`). */
function component(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
  return rest;
}

/** The potatocloud request bodies, as `components.schemas` entries. */
export function potatoRequestComponents(): Record<string, JsonSchema> {
  return {
    PotatoLoginRequest: component(PotatoLoginRequestSchema),
    CreateCardRequest: component(CreateCardRequestSchema),
    CardListRequest: component(CardListRequestSchema),
  };
}
