// `tokens create | list | revoke`. `tokens create` opens the store directly (the first token has
// nothing to authenticate with), unless --url is given; list and revoke use the admin API unless
// a store flag (--db, --data-dir, --database-url) is given.
import type { Command } from 'commander';
import { describeDatabase } from '../config/database';
import { createAdminToken, listAdminTokens, revokeAdminToken } from '../domain/admin-tokens';
import { openDatabase } from '../store/index';
import type { Database } from '../store/types';
import { clientFor, msTime, type ServerCommandFlags, serverCommand } from './common';
import type { CliContext } from './context';
import { CliError, EXIT } from './exit-codes';
import { formatOf, renderRecord, renderRows } from './output';
import { type StoreFlags, storeError, storeOptions, storeSpec } from './store-target';
import { list, oneOf } from './values';

interface TokenView {
  id: string;
  name: string;
  scope: string;
  apps: string[] | null;
  createdAt: number;
  revokedAt: number | null;
}

const view = (t: TokenView) => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  apps: t.apps,
  createdAt: t.createdAt,
  revokedAt: t.revokedAt,
});
const COLUMNS = [
  { key: 'id' },
  { key: 'name' },
  { key: 'scope' },
  { key: 'apps' },
  { key: 'createdAt', header: 'created' },
  { key: 'revokedAt', header: 'revoked' },
];
const readable = (t: TokenView) => ({
  ...t,
  apps: t.apps?.join(',') ?? '(all)',
  createdAt: msTime(t.createdAt),
  revokedAt: msTime(t.revokedAt),
});

const usesStore = (flags: StoreFlags) =>
  flags.db !== undefined || flags.dataDir !== undefined || flags.databaseUrl !== undefined;

async function withStore<T>(
  flags: StoreFlags,
  ctx: CliContext,
  fn: (db: Database) => Promise<T>,
): Promise<T> {
  const spec = storeSpec(flags, ctx.env);
  if (spec.kind === 'memory')
    throw new CliError('--db memory: a memory store lives inside one server; use --url', EXIT.usage);
  let db: Database;
  try {
    db = await openDatabase(spec);
  } catch (error) {
    throw storeError(error, spec);
  }
  try {
    return await fn(db);
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(error.message, EXIT.usage);
    throw storeError(error, spec);
  } finally {
    await db.close();
  }
}

export function registerTokens(program: Command, ctx: CliContext): void {
  const tokens = program
    .command('tokens')
    .description('Admin API tokens: create (offline for the first), list, revoke');

  const create = serverCommand(
    tokens
      .command('create')
      .description(
        'A new admin token; the secret is printed once. Opens the store directly unless --url is given',
      )
      .option('--name <name>', 'a name to recognise it by', 'admin')
      .option(
        '--scope <scope>',
        'full (everything) or read (GET routes only)',
        oneOf(['full', 'read'] as const),
        'full',
      )
      .option(
        '--app <app>',
        'limit the token to these apps (name or id; repeatable or comma-separated)',
        list,
      ),
  );
  for (const o of storeOptions()) create.addOption(o);
  create.action(
    async (
      flags: ServerCommandFlags & StoreFlags & { name: string; scope: 'full' | 'read'; app?: string[] },
    ) => {
      const format = formatOf(flags);
      const input = { name: flags.name, scope: flags.scope, ...(flags.app ? { apps: flags.app } : {}) };
      let result: { token: TokenView; secret: string };
      let where: string;
      if (flags.url !== undefined) {
        if (usesStore(flags))
          throw new CliError('--url and a store flag: give one (where the token is made)', EXIT.usage);
        const client = clientFor(flags, ctx);
        result = await client.request('POST', '/tokens', { body: input });
        where = client.target.url;
      } else {
        const spec = storeSpec(flags, ctx.env);
        where = describeDatabase(spec);
        result = await withStore(flags, ctx, async (db) => {
          const made = await createAdminToken(db, input);
          return { token: view(made.token), secret: made.secret };
        });
      }
      if (format === 'json')
        ctx.out(`${JSON.stringify({ token: result.token, secret: result.secret }, null, 2)}\n`);
      else if (format === 'csv')
        ctx.out(renderRecord({ ...readable(result.token), secret: result.secret }, 'csv'));
      else ctx.out(`${result.secret}\n`);
      ctx.note(
        `token "${result.token.name}" (${result.token.scope}${result.token.apps ? `, apps ${result.token.apps.join(',')}` : ''}) created in ${where}. ` +
          'The secret above is shown only now: store it in a file (chmod 600) for --token-file, or in KAMI_TOKEN.\n',
      );
    },
  );

  const listCmd = serverCommand(
    tokens
      .command('list')
      .description('Tokens (never their secrets); admin API unless a store flag is given'),
  );
  for (const o of storeOptions()) listCmd.addOption(o);
  listCmd.action(async (flags: ServerCommandFlags & StoreFlags) => {
    const format = formatOf(flags);
    const all: TokenView[] = usesStore(flags)
      ? await withStore(flags, ctx, async (db) => (await listAdminTokens(db)).map(view))
      : (await clientFor(flags, ctx).request<{ tokens: TokenView[] }>('GET', '/tokens')).tokens;
    ctx.out(
      format === 'json'
        ? `${JSON.stringify(all, null, 2)}\n`
        : renderRows(all.map(readable), COLUMNS, format),
    );
  });

  const revoke = serverCommand(
    tokens
      .command('revoke')
      .description('Revoke a token by id or name; admin API unless a store flag is given')
      .argument('<token>', 'id or name'),
  );
  for (const o of storeOptions()) revoke.addOption(o);
  revoke.action(async (ref: string, flags: ServerCommandFlags & StoreFlags) => {
    const format = formatOf(flags);
    const count = usesStore(flags)
      ? await withStore(flags, ctx, (db) => revokeAdminToken(db, ref))
      : (
          await clientFor(flags, ctx).request<{ count: number }>(
            'DELETE',
            `/tokens/${encodeURIComponent(ref)}`,
          )
        ).count;
    if (count === 0) throw new CliError(`no active token ${ref}`, EXIT.notFound);
    ctx.out(
      format === 'table'
        ? `revoked ${count} token${count === 1 ? '' : 's'}\n`
        : renderRecord({ revoked: count }, format),
    );
  });
}
