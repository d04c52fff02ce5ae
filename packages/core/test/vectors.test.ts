// The vectors themselves: in sync with their generator, plain JSON, documented.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from './helpers';

const files = fs.readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.json'));

describe('spec/vectors', () => {
  it('every file the generator writes is committed unchanged (generate-vectors.mjs --check)', () => {
    const generator = path.resolve(VECTORS_DIR, '../generate-vectors.mjs');
    expect(() => execFileSync(process.execPath, [generator, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('has the expected files, each documented in README.md', () => {
    expect(files.sort()).toEqual(
      [
        'alphabet-base64.json',
        'beijing-time.json',
        'bytes.json',
        'messages.json',
        'potato-sign.json',
        'rsa-responses.json',
        'rsa-test-key.json',
        'rsa-values.json',
        'seed-fixtures.json',
        'sign-base64.json',
        'sign-plain.json',
        'sign-rsa.json',
        'token.json',
      ].sort(),
    );
    const readme = fs.readFileSync(path.join(VECTORS_DIR, 'README.md'), 'utf8');
    for (const file of files) expect(readme).toContain(`\`${file}\``);
  });

  it.each(files)('%s is plain JSON (no JS-only values) and marks test keys', (file) => {
    const text = fs.readFileSync(path.join(VECTORS_DIR, file), 'utf8');
    const data = JSON.parse(text);
    expect(`${JSON.stringify(data, null, 2)}\n`).toBe(text);
    const walk = (v: unknown): void => {
      if (typeof v === 'number') expect(Number.isSafeInteger(v) || Number.isFinite(v)).toBe(true);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(data);
    if (file === 'rsa-test-key.json') expect(data.warning).toMatch(/TEST KEY ONLY/);
  });
});
