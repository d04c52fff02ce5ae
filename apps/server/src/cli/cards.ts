// `cards create | list | show | export | import | disable | enable | delete | reset-device | extend`
// over the admin API. Long work (create, export, import) draws a progress bar on a terminal.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { type AdminClient, serverOptions } from './client';
import {
  APP_OPTION,
  appPath,
  clientFor,
  keysFrom,
  msTime,
  type ServerCommandFlags,
  secTime,
  serverCommand,
} from './common';
import type { CliContext } from './context';
import { CliError, EXIT, usageError } from './exit-codes';
import { type Format, formatOf, renderRecord, renderRows } from './output';
import { progress } from './progress';
import { duration, integer } from './values';

const TIME_TYPES = { day: 0, week: 1, month: 2, season: 3, year: 4 } as const;
const STATES = ['unused', 'active', 'ended', 'disabled', 'deleted'] as const;
const KINDS = ['time', 'permanent', 'count'] as const;

interface CardView {
  key: string;
  kind: string;
  type: number | null;
  state: string;
  device: string | null;
  firstUse: number | null;
  expiresAt: number | null;
  usesLeft: number | null;
  changes: number;
  remark: string | null;
  batch: string | null;
  createdAt: number;
}

const CARD_COLUMNS = [
  { key: 'key' },
  { key: 'kind' },
  { key: 'type' },
  { key: 'state' },
  { key: 'device' },
  { key: 'expiresAt', header: 'expires' },
  { key: 'usesLeft', header: 'uses left' },
  { key: 'changes', header: 'unbinds' },
  { key: 'batch' },
  { key: 'createdAt', header: 'created' },
];

/** Times readable in tables and CSV; JSON keeps the API's numbers. */
const readable = (c: CardView, format: Format) =>
  format === 'json'
    ? c
    : {
        ...c,
        firstUse: secTime(c.firstUse),
        expiresAt: secTime(c.expiresAt),
        createdAt: msTime(c.createdAt),
      };

function cardKind(flags: { kind: string; type?: string; uses?: number }) {
  if (flags.kind === 'time') {
    if (flags.type === undefined)
      throw usageError('--type: a time card needs one (day, week, month, season, year or 0–4)');
    const type =
      flags.type in TIME_TYPES ? TIME_TYPES[flags.type as keyof typeof TIME_TYPES] : Number(flags.type);
    if (!Number.isInteger(type) || type < 0 || type > 4)
      throw usageError(`--type: ${JSON.stringify(flags.type)} must be day, week, month, season, year or 0–4`);
    if (flags.uses !== undefined) throw usageError('--uses: only for --kind count');
    return { kind: 'time', type };
  }
  if (flags.type !== undefined) throw usageError('--type: only for --kind time');
  if (flags.kind === 'count') {
    if (flags.uses === undefined) throw usageError('--uses: a count card needs its number of uses');
    return { kind: 'count', uses: flags.uses };
  }
  if (flags.uses !== undefined) throw usageError('--uses: only for --kind count');
  return { kind: 'permanent' };
}

/** Writes to `file` through a temporary sibling, renamed only once complete. */
async function atomicWrite(
  file: string,
  fill: (write: (text: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const partial = join(dirname(file), `.${basename(file)}.partial-${randomBytes(4).toString('hex')}`);
  const out = createWriteStream(partial, { mode: 0o600 }); // card keys are what users pay for
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  try {
    await fill(write);
    out.end();
    await finished(out);
    await rename(partial, file);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

/** The lines of a streamed reply body. */
async function* lines(body: ReadableStream<Uint8Array> | null): AsyncGenerator<string> {
  if (!body) return;
  const decoder = new TextDecoder();
  let carry = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    carry += decoder.decode(chunk, { stream: true });
    const parts = carry.split('\n');
    carry = parts.pop()!;
    yield* parts;
  }
  carry += decoder.decode();
  if (carry !== '') yield carry;
}

async function createCards(
  client: AdminClient,
  app: string,
  body: Record<string, unknown>,
  count: number,
  tty: boolean,
) {
  const res = await client.send('POST', `${appPath(app)}/cards`, {
    body: { ...body, format: 'ndjson' },
    timeoutMs: 0,
  });
  const bar = progress('creating', count, tty);
  const keys: string[] = [];
  let done: { done: boolean; created: number; error?: string } | undefined;
  try {
    for await (const line of lines(res.body)) {
      if (line === '') continue;
      const item = JSON.parse(line) as { key?: string; done?: boolean; created?: number; error?: string };
      if (typeof item.key === 'string') {
        keys.push(item.key);
        bar.tick();
      } else if (typeof item.done === 'boolean') done = item as typeof done;
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `the reply was cut off (${(error as Error).message}); no key of it may be used`,
      EXIT.failure,
    );
  } finally {
    bar.stop();
  }
  // Keys count only once the server says the transaction committed.
  if (!done?.done)
    throw new CliError(
      `card creation failed: ${done?.error ?? 'the reply ended early'}; nothing was created`,
      EXIT.failure,
    );
  return keys;
}

/** --url and the token options, without the shared --json / --csv (cards create has its own). */
function withServer(cmd: Command): Command {
  for (const o of serverOptions()) cmd.addOption(o);
  return cmd;
}

export function registerCards(program: Command, ctx: CliContext): void {
  const cards = program
    .command('cards')
    .description('Cards: bulk create, list, export/import, disable, enable, delete, reset device, extend');

  withServer(
    cards
      .command('create')
      .description(
        'Create cards in one transaction; keys are printed (or written to --csv FILE) once all exist',
      )
      .requiredOption(...APP_OPTION)
      .addOption(new Option('--kind <kind>', 'time | permanent | count').choices(KINDS).makeOptionMandatory())
      .option('--type <type>', 'time cards: day, week, month, season, year (or 0–4)')
      .option('--uses <n>', 'count cards: uses per card', integer(1, 1_000_000))
      .requiredOption('--count <n>', 'how many (1–1 000 000)', integer(1, 1_000_000))
      .option('--remark <text>', 'a label stored on every card')
      .option('--batch <name>', 'a batch name stored on every card (list/export filter)')
      .option('--json', 'print {created, keys} as JSON')
      .option('--csv [file]', 'keys as CSV (header `key`): to this file, or to stdout without one')
      .option('--out <file>', 'the same as --csv <file>')
      .option('--force', 'overwrite --out if it exists')
      .option('--no-progress', 'no progress bar even on a terminal'),
  ).action(
    async (
      flags: ServerCommandFlags & {
        app: string;
        kind: string;
        type?: string;
        uses?: number;
        count: number;
        remark?: string;
        batch?: string;
        out?: string;
        force?: boolean;
        progress: boolean;
        csv?: boolean | string;
      },
    ) => {
      const file = typeof flags.csv === 'string' ? flags.csv : flags.out;
      if (typeof flags.csv === 'string' && flags.out !== undefined)
        throw usageError('--csv <file> and --out: give one');
      const format = formatOf({ json: flags.json, csv: flags.csv !== undefined });
      const card = cardKind(flags);
      const out = file === undefined ? undefined : resolve(file);
      if (out && existsSync(out) && !flags.force)
        throw usageError(`--out: ${out} exists (pass --force to overwrite it)`);
      const keys = await createCards(
        clientFor(flags, ctx),
        flags.app,
        {
          card,
          count: flags.count,
          ...(flags.remark ? { remark: flags.remark } : {}),
          ...(flags.batch ? { batch: flags.batch } : {}),
        },
        flags.count,
        ctx.tty && flags.progress,
      );
      if (out) {
        await atomicWrite(out, async (write) => {
          await write('key\n');
          for (let i = 0; i < keys.length; i += 10_000)
            await write(`${keys.slice(i, i + 10_000).join('\n')}\n`);
        });
        ctx.note(`${keys.length} cards created; keys written to ${out}\n`);
        if (format === 'json') ctx.out(`${JSON.stringify({ created: keys.length, file: out })}\n`);
        return;
      }
      if (format === 'json') ctx.out(`${JSON.stringify({ created: keys.length, keys })}\n`);
      else if (format === 'csv') ctx.out(`key\n${keys.join('\n')}\n`);
      else ctx.out(`${keys.join('\n')}\n`);
      ctx.note(`${keys.length} cards created\n`);
    },
  );

  serverCommand(
    cards
      .command('list')
      .description('List cards, oldest first (one page; --all for every page)')
      .requiredOption(...APP_OPTION)
      .addOption(new Option('--state <state>', STATES.join(' | ')).choices(STATES))
      .addOption(new Option('--kind <kind>', KINDS.join(' | ')).choices(KINDS))
      .option('--batch <name>', 'only this batch')
      .addOption(
        new Option('--bound <yes|no>', 'only cards bound / not bound to a device').choices(['yes', 'no']),
      )
      .option('--expiring-within <duration>', 'only cards expiring within this time (e.g. 7d)', duration)
      .option('--limit <n>', 'cards per page (1–1000)', integer(1, 1000), 100)
      .option('--cursor <cursor>', 'continue after a previous page (its next cursor)')
      .option('--all', 'follow every page'),
  ).action(
    async (
      flags: ServerCommandFlags & {
        app: string;
        state?: string;
        kind?: string;
        batch?: string;
        bound?: string;
        expiringWithin?: number;
        limit: number;
        cursor?: string;
        all?: boolean;
      },
    ) => {
      const format = formatOf(flags);
      const client = clientFor(flags, ctx);
      const query = {
        state: flags.state,
        kind: flags.kind,
        batch: flags.batch,
        bound: flags.bound === undefined ? undefined : flags.bound === 'yes',
        expiring_before:
          flags.expiringWithin === undefined
            ? undefined
            : Math.floor(Date.now() / 1000) + flags.expiringWithin,
        limit: flags.limit,
      };
      const all: CardView[] = [];
      let cursor = flags.cursor;
      let next: string | null = null;
      do {
        const page = await client.request<{ cards: CardView[]; nextCursor: string | null }>(
          'GET',
          `${appPath(flags.app)}/cards`,
          {
            query: { ...query, cursor },
          },
        );
        all.push(...page.cards);
        next = page.nextCursor;
        cursor = next ?? undefined;
      } while (flags.all && next);
      if (format === 'json') ctx.out(`${JSON.stringify({ cards: all, nextCursor: next }, null, 2)}\n`);
      else
        ctx.out(
          renderRows(
            all.map((c) => readable(c, format)),
            CARD_COLUMNS,
            format,
          ),
        );
      if (next && !flags.all && format === 'table') ctx.note(`more: --cursor ${next} (or --all)\n`);
    },
  );

  serverCommand(
    cards
      .command('show')
      .description('One card')
      .requiredOption(...APP_OPTION)
      .argument('<key>', 'the card key'),
  ).action(async (key: string, flags: ServerCommandFlags & { app: string }) => {
    const format = formatOf(flags);
    const { card } = await clientFor(flags, ctx).request<{ card: CardView }>(
      'GET',
      `${appPath(flags.app)}/cards/${encodeURIComponent(key)}`,
    );
    ctx.out(
      format === 'json' ? `${JSON.stringify(card, null, 2)}\n` : renderRecord(readable(card, format), format),
    );
  });

  serverCommand(
    cards
      .command('export')
      .description('Every card of the app (deleted ones too, unless --state) as CSV or JSON, streamed')
      .requiredOption(...APP_OPTION)
      .option('--out <file>', 'write to this file (default: stdout)')
      .option('--force', 'overwrite --out if it exists')
      .addOption(new Option('--state <state>', STATES.join(' | ')).choices(STATES))
      .addOption(new Option('--kind <kind>', KINDS.join(' | ')).choices(KINDS))
      .option('--batch <name>', 'only this batch')
      .option('--no-progress', 'no progress bar even on a terminal'),
  ).action(
    async (
      flags: ServerCommandFlags & {
        app: string;
        out?: string;
        force?: boolean;
        state?: string;
        kind?: string;
        batch?: string;
        progress: boolean;
      },
    ) => {
      const format = flags.json ? 'json' : 'csv';
      if (flags.json && flags.csv) throw usageError('--json and --csv: choose one');
      const out = flags.out === undefined ? undefined : resolve(flags.out);
      if (out && existsSync(out) && !flags.force)
        throw usageError(`--out: ${out} exists (pass --force to overwrite it)`);
      const client = clientFor(flags, ctx);
      const filter = { state: flags.state, kind: flags.kind, batch: flags.batch };
      // The bar's total: the app's card count (deleted included) when nothing filters.
      let total = 0;
      const bar = ctx.tty && flags.progress && (out !== undefined || !process.stdout.isTTY);
      if (bar && !flags.state && !flags.kind && !flags.batch) {
        const stats = await client.request<{ cards: Record<string, number> }>(
          'GET',
          `${appPath(flags.app)}/stats`,
          {
            query: { hours: 1 },
          },
        );
        total = Object.values(stats.cards).reduce((a, b) => a + b, 0);
      }
      const res = await client.send('GET', `${appPath(flags.app)}/export`, {
        query: { ...filter, format },
        timeoutMs: 0,
      });
      const shown = progress('exporting', total, bar);
      let rows = 0;
      const copy = async (write: (text: string) => Promise<void> | void) => {
        let first = true;
        for await (const line of lines(res.body)) {
          // CSV: one card per line after the header; JSON: one object per line inside the array.
          if (first) first = false;
          else if (line.startsWith('{') || (format === 'csv' && line !== '')) {
            rows++;
            shown.tick();
          }
          await write(`${line}\n`);
        }
      };
      try {
        if (out) await atomicWrite(out, copy);
        else await copy((text) => void ctx.out(text));
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(
          `the export was cut off (${(error as Error).message})${out ? `; ${out} not written` : ''}`,
          EXIT.failure,
        );
      } finally {
        shown.stop();
      }
      ctx.note(`${rows} cards exported${out ? ` to ${out}` : ''}\n`);
    },
  );

  serverCommand(
    cards
      .command('import')
      .description('Import an export CSV into the app: all or nothing (an error names the row and column)')
      .requiredOption(...APP_OPTION)
      .argument('<file>', 'a CSV written by cards export')
      .option('--no-progress', 'no progress bar even on a terminal'),
  ).action(async (file: string, flags: ServerCommandFlags & { app: string; progress: boolean }) => {
    const format = formatOf(flags);
    const path = resolve(file);
    if (!existsSync(path)) throw new CliError(`<file>: ${path} does not exist`, EXIT.notFound);
    const size = statSync(path).size;
    const bar = progress('uploading', size, ctx.tty && flags.progress);
    const stream = createReadStream(path);
    stream.on('data', (chunk) => bar.tick(chunk.length));
    let result: { imported: number };
    try {
      result = await clientFor(flags, ctx).request<{ imported: number }>(
        'POST',
        `${appPath(flags.app)}/import`,
        {
          raw: { body: Readable.toWeb(stream) as ReadableStream<Uint8Array>, contentType: 'text/csv' },
          timeoutMs: 0,
        },
      );
    } finally {
      bar.stop();
    }
    ctx.out(format === 'table' ? `imported ${result.imported} cards\n` : renderRecord(result, format));
  });

  const action = (
    name: string,
    describe: string,
    method: string,
    path: string,
    body?: (flags: never) => unknown,
  ) => {
    const cmd = serverCommand(
      cards
        .command(name)
        .description(`${describe}; keys as arguments, or - to read them from stdin (one per line)`)
        .requiredOption(...APP_OPTION)
        .argument('<keys...>', 'card keys'),
    );
    return {
      cmd,
      run: (extra?: (flags: Record<string, unknown>) => void) =>
        cmd.action(
          async (args: string[], flags: ServerCommandFlags & { app: string } & Record<string, unknown>) => {
            const format = formatOf(flags);
            extra?.(flags);
            const keys = await keysFrom(args);
            if (keys.length === 0) throw usageError('<keys...>: no card keys given');
            const client = clientFor(flags, ctx);
            const done: CardView[] = [];
            const missing: string[] = [];
            for (const key of keys) {
              try {
                const { card } = await client.request<{ card: CardView }>(
                  method,
                  `${appPath(flags.app)}/cards/${encodeURIComponent(key)}${path}`,
                  body ? { body: body(flags as never) } : {},
                );
                done.push(card);
              } catch (error) {
                // One unknown key must not stop the others; it is reported and sets the exit code.
                if (error instanceof CliError && error.exitCode === EXIT.notFound && keys.length > 1)
                  missing.push(key);
                else throw error;
              }
            }
            if (format === 'json')
              ctx.out(`${JSON.stringify({ cards: done, notFound: missing }, null, 2)}\n`);
            else
              ctx.out(
                renderRows(
                  done.map((c) => readable(c, format)),
                  CARD_COLUMNS,
                  format,
                ),
              );
            if (missing.length > 0)
              throw new CliError(
                `${missing.length} of ${keys.length} keys not found: ${missing.join(', ')}`,
                EXIT.notFound,
              );
          },
        ),
    };
  };
  action(
    'disable',
    'Disable cards (their logins and heartbeats answer 卡密被禁用)',
    'POST',
    '/disable',
  ).run();
  action('enable', 'Enable disabled cards', 'POST', '/enable').run();
  action('delete', 'Delete cards (soft: state deleted; sessions end)', 'DELETE', '').run();
  action(
    'reset-device',
    'Unbind cards from their device (and IP); sessions end; not counted toward the unbind limit',
    'POST',
    '/unbind',
  ).run();
  const extend = action(
    'extend',
    'Move the expiry of activated time cards (--by 30d, --by -1d) or set it (--until 2027-01-01)',
    'POST',
    '/expiry',
    (flags: { by?: number; until?: number }) =>
      flags.by !== undefined ? { extendSeconds: flags.by } : { expiresAt: flags.until },
  );
  extend.cmd
    .option('--by <duration>', 'move the expiry by this much (e.g. 30d; -1d to shorten)', (v: string) =>
      v.startsWith('-') ? -duration(v.slice(1)) : duration(v),
    )
    .option('--until <date>', 'the new expiry (ISO 8601 date or time, or unix seconds)', (v: string) => {
      const t = /^\d+$/.test(v) ? Number(v) : Math.floor(Date.parse(v) / 1000);
      if (!Number.isFinite(t) || t <= 0)
        throw usageError(`--until: ${JSON.stringify(v)} is not a date (e.g. 2027-01-01)`);
      return t;
    });
  extend.run((flags) => {
    if ((flags.by === undefined) === (flags.until === undefined))
      throw usageError('--by or --until: give exactly one');
  });
}
