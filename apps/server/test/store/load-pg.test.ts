import { describe, expect, it } from 'vitest';
import { loadPg, PgMissingError } from '../../src/store/load-pg';

describe('loadPg (pg is an optional peer dependency)', () => {
  it('loads the installed pg', async () => {
    const pg = await loadPg();
    expect(typeof pg.Pool).toBe('function');
  });

  it('says what to install when pg is missing (fault injected: the import fails as Node fails it)', async () => {
    const missing = Object.assign(new Error("Cannot find package 'pg'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await loadPg(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgMissingError);
    expect((error as Error).message).toMatch(/--db postgres.*npm install pg/);
    expect((error as Error).cause).toBe(missing);
  });

  it('passes any other failure through unchanged', async () => {
    const broken = new SyntaxError('bad module');
    await expect(loadPg(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});
