// The admin API from the CLI: where the server is, which token to send, and every way a call can
// fail turned into the CLI's exit codes (auth 3, not found 4, unreachable 5, bad input 2).
import { readFileSync, statSync } from 'node:fs';
import { Option } from 'commander';
import type { CliContext } from './context';
import { CliError, EXIT, usageError } from './exit-codes';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface ServerFlags {
  url?: string;
  token?: string;
  tokenFile?: string;
}

export const serverOptions = (): Option[] => [
  new Option('--url <url>', `the server (default: $KAMI_URL, else ${DEFAULT_URL})`),
  new Option('--token-file <file>', 'a file holding the admin token (default: $KAMI_TOKEN)'),
  new Option(
    '--token <token>',
    'the admin token itself; shows in ps and shell history, so prefer KAMI_TOKEN or --token-file',
  ),
];

export interface ServerTarget {
  url: string;
  token: string;
}

function readTokenFile(file: string, ctx: CliContext): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(
      `--token-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    // A token readable by everyone on the machine is everyone's token.
    if ((statSync(file).mode & 0o077) !== 0)
      ctx.note(`${ctx.name}: warning: ${file} is readable by other users (chmod 600 ${file})\n`);
  } catch {
    // Not a regular file (a pipe, /dev/fd/N): nothing to check.
  }
  const token = text.trim();
  if (token === '') throw usageError(`--token-file: ${file} is empty`);
  return token;
}

export function resolveServer(flags: ServerFlags, ctx: CliContext): ServerTarget {
  const rawUrl = flags.url ?? (ctx.env.KAMI_URL || undefined) ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw usageError(`--url: ${JSON.stringify(rawUrl)} is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(`--url: ${JSON.stringify(rawUrl)} must be http:// or https://`);
  if (flags.token !== undefined && flags.tokenFile !== undefined)
    throw usageError('--token and --token-file: give one');
  const token =
    flags.token ??
    (flags.tokenFile !== undefined ? readTokenFile(flags.tokenFile, ctx) : ctx.env.KAMI_TOKEN?.trim());
  if (!token)
    throw new CliError(
      'no admin token: set KAMI_TOKEN or pass --token-file FILE (create the first one with `kami tokens create`, ' +
        'which opens the store directly)',
      EXIT.auth,
    );
  return { url: url.toString().replace(/\/+$/, ''), token };
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** A body sent as is (a CSV file, streamed) instead of `body` as JSON. */
  raw?: { body: ReadableStream<Uint8Array> | string; contentType: string };
  /** Milliseconds before the call is given up (default 60 s; 0 = never, for streamed work). */
  timeoutMs?: number;
}

/** The message of an error reply, whatever key the server put it under. */
function messageOf(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const text = [o.error, o.message, o.msg].find((v) => typeof v === 'string') as string | undefined;
    const detail = Array.isArray(o.issues)
      ? `: ${(o.issues as unknown[])
          .map((i) =>
            i && typeof i === 'object'
              ? `${(i as { path?: unknown }).path ?? ''} ${(i as { message?: unknown }).message ?? ''}`.trim()
              : String(i),
          )
          .join('; ')}`
      : '';
    if (text) return `${text}${detail}`;
    if (typeof o.error === 'object' && o.error !== null) return messageOf(o.error, status);
  }
  return typeof body === 'string' && body !== '' ? body.slice(0, 300) : `HTTP ${status}`;
}

export class AdminClient {
  constructor(readonly target: ServerTarget) {}

  /** The reply of a call that succeeded (2xx); every failure is thrown as a CliError. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(`${this.target.url}/admin/v1${path}`);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const raw = options.raw;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.target.token}`,
          accept: 'application/json',
          ...(raw
            ? { 'content-type': raw.contentType }
            : options.body !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
        },
        ...(raw
          ? { body: raw.body, duplex: 'half' }
          : options.body !== undefined
            ? { body: JSON.stringify(options.body) }
            : {}),
        ...(options.timeoutMs === 0 ? {} : { signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) }),
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(
        `cannot reach the server at ${this.target.url} (${why}). Is it running? Set --url or KAMI_URL.`,
        EXIT.unreachable,
      );
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): the text itself is the message.
    }
    const message = messageOf(body, res.status);
    if (res.status === 401) throw new CliError(`the server refused the admin token: ${message}`, EXIT.auth);
    if (res.status === 403) throw new CliError(`the admin token may not do this: ${message}`, EXIT.auth);
    if (res.status === 404)
      throw new CliError(
        typeof body === 'object' && body !== null && 'field' in body
          ? message
          : `${method} ${url.pathname}: not found (${message}); does the server at ${this.target.url} have the admin API?`,
        EXIT.notFound,
      );
    if (res.status === 400 || res.status === 413 || res.status === 415)
      throw new CliError(message, EXIT.usage);
    if (res.status === 429)
      throw new CliError(
        `too many failed attempts: ${message} (retry after ${res.headers.get('retry-after') ?? '?'} s)`,
        EXIT.auth,
      );
    if (res.status === 409) throw new CliError(message, EXIT.failure);
    throw new CliError(`${method} ${url.pathname}: HTTP ${res.status}: ${message}`, EXIT.failure);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    const text = await res.text();
    try {
      return (text === '' ? undefined : JSON.parse(text)) as T;
    } catch {
      throw new CliError(`${method} ${path}: the server's reply is not JSON`, EXIT.failure);
    }
  }
}
