// The client entry must not reach the server's half of the protocol: walk the import graph of
// src/index.ts (relative imports, as the bundler would) and look for the server-only modules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

const SERVER_ONLY = [
  'server.ts',
  'codecs/server-codec.ts',
  'codecs/rsa/private.ts',
  'codecs/rsa/private-key.ts',
  'codecs/rsa/blinding.ts',
  'potato/envelope-builder.ts',
  't3/verify.ts',
];

function resolve(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {}
  }
  throw new Error(`cannot resolve ${spec} from ${from}`);
}

/** Every module reachable from `entry` through runtime or type imports and re-exports. */
function graph(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [path.join(SRC, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) {
      todo.push(resolve(file, m[1]!));
    }
  }
  return new Set([...seen].map((f) => path.relative(SRC, f).split(path.sep).join('/')));
}

describe('entry points', () => {
  it('@kami-verify/core reaches none of the server-only modules', () => {
    const client = graph('index.ts');
    expect(client.size).toBeGreaterThan(20);
    expect(SERVER_ONLY.filter((f) => client.has(f))).toEqual([]);
  });

  it('@kami-verify/core/server reaches every server-only module (the list above is real)', () => {
    const server = graph('server.ts');
    expect(SERVER_ONLY.filter((f) => !server.has(f))).toEqual([]);
  });
});
