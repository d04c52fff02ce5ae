// The config schema: its messages, its defaults and the published JSON Schema file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, validateServerConfig } from '../../src/config/index';
import { configJsonSchema } from '../../src/schema/json-schema';
import { T3_ROUTE_NAMES } from '../../src/schema/settings';

const root = join(import.meta.dirname, '../..');

function problemsOf(input: unknown): string[] {
  try {
    validateServerConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the config was accepted');
}

describe('config messages', () => {
  it('name the JSON path and the rule, one line per problem, all in one pass', () => {
    const problems = problemsOf({
      apps: [
        {
          name: 'a',
          settings: {
            timestampCheck: { windowSeconds: 0 },
            encoding: { mode: 'rsa', publicKey: 'x' },
            potatoSign: true,
            endpoints: { login: 1, logn: true },
          },
          cards: [{ cardStr: 'x', card: { kind: 'zz' }, imei: "a'" }],
          potatoUsers: 3,
        },
        { name: 'b', settings: { encoding: { mode: 'x' } } },
        5,
      ],
      server: { trustProxy: null, bodyLimit: 'x', throttle: { maxFailures: 0 } },
      extra: 1,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'apps[0].settings.timestampCheck.windowSeconds: must be an integer from 1 to 86400',
        'apps[0].settings.encoding.privateKey: the server needs the private key (PEM)',
        'apps[0].settings.potatoSignSecret: is required when potatoSign is true',
        'apps[0].settings.endpoints.login: must be true or false',
        `apps[0].settings.endpoints.logn: unknown key (expected one of: ${T3_ROUTE_NAMES.join(', ')})`,
        'apps[0].cards[0].cardStr: must be 4–64 letters, digits, - or _',
        'apps[0].cards[0].card.kind: must be one of "time", "permanent", "count"',
        "apps[0].cards[0].imei: must not contain '",
        'apps[0].potatoUsers: must be an array',
        'apps[1].settings.encoding.mode: must be one of "plain", "base64", "rsa"',
        'apps[2]: must be an object',
        'server.trustProxy: must be a boolean, a hop count or an address list',
        'server.bodyLimit: must be an integer from 1024 to 16777216',
        'server.throttle.maxFailures: must be an integer of at least 1',
        'extra: unknown key (expected one of: $schema, apps, server)',
      ]),
    );
    expect(problems).toHaveLength(new Set(problems).size);
  });

  it('the root must be an object with an apps array', () => {
    expect(problemsOf(null)).toEqual(['$: must be an object']);
    expect(problemsOf({ apps: {} })).toEqual(['apps: must be an array of app definitions']);
  });

  it('a valid config comes back unchanged (defaults are filled where they are used)', () => {
    const config = { apps: [{ name: 'a', settings: { notice: 'hi' } }] };
    expect(validateServerConfig(config)).toBe(config);
    expect(config.apps[0]?.settings).toEqual({ notice: 'hi' });
  });
});

describe('config.schema.json', () => {
  const schema = configJsonSchema();

  it('is generated from the zod schema (run `npm run schema` after changing it)', async () => {
    await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot(
      '../../schema/config.schema.json',
    );
  });

  it('accepts the example config, which names it for editors, and refuses what the server refuses', () => {
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
    const example = JSON.parse(readFileSync(join(root, 'config.example.json'), 'utf8'));
    expect(example.$schema).toBe('./schema/config.schema.json');
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(() => loadConfigFile(join(root, 'config.example.json'))).not.toThrow();

    const typo = structuredClone(example);
    typo.apps[0].settings.signatureChek = 'on';
    expect(validate(typo)).toBe(false);
    expect(() => validateServerConfig(typo)).toThrow(/signatureChek: unknown key/);
  });

  it('allows key files in a file, where loadConfigFile reads them', () => {
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
    const app = (encoding: object) => ({ apps: [{ name: 'a', settings: { encoding } }] });
    expect(validate(app({ mode: 'rsa', publicKeyFile: 'a.pem', privateKeyFile: 'b.pem' }))).toBe(true);
    expect(validate(app({ mode: 'rsa', publicKeyFile: 'a.pem' }))).toBe(false);
    expect(validate(app({ mode: 'base64', alphabet: 'x', publicKeyFile: 'a.pem' }))).toBe(false);
  });
});
