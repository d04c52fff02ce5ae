#!/usr/bin/env node
// kami-test-harness: real reference servers for the test suites of SDKs in any language, driven
// by a small JSON control API on loopback. Each server is a full kami-server (embedded store in a
// temp directory, so it can be stopped and started again on the same port with the same data)
// whose clock follows real time plus an offset the test moves.
import { fstatSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  createRealTimeClock,
  type FakeClock,
  type MintCardOptions,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from './testing';

interface Managed {
  id: string;
  dir: string;
  port: number;
  clock: FakeClock;
  options: TestServerOptions;
  running: TestServer | undefined;
  /** The first start's description; a restart keeps every key, so it stays true. */
  description: unknown;
}

class HarnessError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const servers = new Map<string, Managed>();
let nextId = 1;

function describe(managed: Managed, server: TestServer) {
  const { app } = server;
  const { privateKey: _private, ...publicEncoding } = app.encoding as Record<string, unknown>;
  return {
    id: managed.id,
    url: server.url,
    app: {
      name: app.name,
      appKey: app.appKey,
      askKey: app.askKey,
      routes: app.routes,
      encoding: publicEncoding,
      settings: { ...app.settings, encoding: publicEncoding },
    },
    potatoUser: server.potatoUser,
    ...(app.settings.potatoSign ? { potatoSignSecret: app.settings.potatoSignSecret } : {}),
  };
}

function managedOf(req: Request): Managed {
  const managed = servers.get(String(req.params.id));
  if (!managed) throw new HarnessError(404, `no server ${JSON.stringify(req.params.id)}`);
  return managed;
}

function runningOf(req: Request): TestServer {
  const managed = managedOf(req);
  if (!managed.running) throw new HarnessError(409, `server ${managed.id} is stopped`);
  return managed.running;
}

function objectBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HarnessError(400, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

const ENCODINGS = new Set(['plain', 'base64', 'rsa']);

async function create(req: Request, res: Response) {
  const body = objectBody(req);
  const { encoding, settings, server } = body;
  if (encoding !== undefined && !ENCODINGS.has(encoding as string))
    throw new HarnessError(400, 'encoding must be "plain", "base64" or "rsa"');
  const id = `s${nextId++}`;
  const dir = mkdtempSync(join(tmpdir(), 'kami-harness-'));
  const clock = createRealTimeClock();
  const options: TestServerOptions = {
    db: dir,
    clock,
    ...(encoding !== undefined ? { encoding: encoding as TestServerOptions['encoding'] } : {}),
    ...(settings !== undefined ? { settings: settings as TestServerOptions['settings'] } : {}),
    ...(server !== undefined ? { server: server as TestServerOptions['server'] } : {}),
  };
  let running: TestServer;
  try {
    running = await startTestServer(options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new HarnessError(400, (error as Error).message);
  }
  // A restart must reuse the generated RSA key or alphabet, not make new ones.
  options.encoding = running.app.encoding;
  const managed: Managed = {
    id,
    dir,
    clock,
    options,
    port: Number(new URL(running.url).port),
    running,
    description: undefined,
  };
  managed.description = describe(managed, running);
  servers.set(id, managed);
  res.status(201).json(managed.description);
}

async function stop(managed: Managed) {
  const running = managed.running;
  managed.running = undefined;
  await running?.close();
}

async function remove(managed: Managed) {
  servers.delete(managed.id);
  await stop(managed);
  rmSync(managed.dir, { recursive: true, force: true });
}

function cardAction(action: (server: TestServer, cardStr: string) => Promise<unknown>) {
  return async (req: Request, res: Response) => {
    const server = runningOf(req);
    try {
      res.json((await action(server, String(req.params.card))) ?? { ok: true });
    } catch (error) {
      throw new HarnessError(404, (error as Error).message);
    }
  };
}

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '1mb' }));

app.post('/servers', create);
app.get('/servers/:id', (req, res) => {
  const managed = managedOf(req);
  res.json({ ...(managed.description as object), running: managed.running !== undefined });
});
app.delete('/servers/:id', async (req, res) => {
  await remove(managedOf(req));
  res.json({ ok: true });
});
app.post('/servers/:id/stop', async (req, res) => {
  await stop(managedOf(req));
  res.json({ ok: true });
});
app.post('/servers/:id/start', async (req, res) => {
  const managed = managedOf(req);
  if (!managed.running) {
    try {
      managed.running = await startTestServer({ ...managed.options, port: managed.port });
    } catch (error) {
      throw new HarnessError(409, `restart on port ${managed.port} failed: ${(error as Error).message}`);
    }
  }
  res.json({ ok: true, url: managed.running.url });
});
app.post('/servers/:id/clock', (req, res) => {
  const managed = managedOf(req);
  const { advanceMs } = objectBody(req);
  if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0)
    throw new HarnessError(400, 'advanceMs must be a non-negative number');
  res.json({ now: managed.clock.advance(advanceMs) });
});
app.post('/servers/:id/cards', async (req, res) => {
  const server = runningOf(req);
  try {
    res.status(201).json({ cardStr: await server.mintCard(objectBody(req) as MintCardOptions) });
  } catch (error) {
    throw new HarnessError(400, (error as Error).message);
  }
});
app.get(
  '/servers/:id/cards/:card',
  cardAction(async (server, card) => {
    const record = await server.getCard(card);
    if (!record) throw new Error(`no card ${JSON.stringify(card)}`);
    return record;
  }),
);
app.post(
  '/servers/:id/cards/:card/disable',
  cardAction((s, c) => s.disableCard(c)),
);
app.post(
  '/servers/:id/cards/:card/enable',
  cardAction((s, c) => s.enableCard(c)),
);
app.post(
  '/servers/:id/cards/:card/delete',
  cardAction((s, c) => s.deleteCard(c)),
);
app.post(
  '/servers/:id/cards/:card/kick',
  cardAction(async (s, c) => ({ kicked: await s.kickSessions(c) })),
);
app.use((_req: Request, res: Response) => {
  res.status(404).json({ error: 'no such control route' });
});
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  const status =
    error instanceof HarnessError ? error.status : ((error as { status?: number }).status ?? 500);
  res.status(status).json({ error: (error as Error).message });
});

let closing = false;
async function shutdown(code: number) {
  if (closing) return;
  closing = true;
  await Promise.allSettled([...servers.values()].map(remove));
  process.exit(code);
}

const control = app.listen(0, '127.0.0.1', () => {
  const { port } = control.address() as AddressInfo;
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
// A test runner holds our stdin as a pipe: when it goes away (even killed), so do we and our
// servers. A terminal or /dev/null on stdin does not end the harness.
const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) {
  process.stdin.on('end', () => void shutdown(0));
  process.stdin.on('error', () => void shutdown(0));
  process.stdin.resume();
}
