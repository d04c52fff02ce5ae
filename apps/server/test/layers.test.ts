// Imports point down: http → domain → store, and schema/ is a leaf everyone may use. store/ and
// config/ reaching up into domain/ (or http/) is how shared types ended up defined in the wrong place.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', 'src');

function importsUnder(dir: string): Array<{ file: string; from: string }> {
  return readdirSync(join(src, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => {
      const file = join(src, dir, f);
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)].map((m) => ({
        file: relative(src, file),
        from: relative(src, join(file, '..', m[1] ?? '')),
      }));
    })
    .filter(({ from }) => !from.startsWith('..'));
}

describe('layers', () => {
  it.each([
    ['store', ['domain', 'http', 'config']],
    ['config', ['domain', 'http']],
    ['schema', ['domain', 'http', 'store', 'config', 'openapi']],
  ])('%s/ imports nothing from %j', (dir, forbidden) => {
    const upward = importsUnder(dir).filter(({ from }) => forbidden.some((f) => from.startsWith(`${f}/`)));
    expect(upward).toEqual([]);
  });
});
