// Bulk card generation through the server's bulk path (one multi-row insert per batch),
// in its own process so the figure is not disturbed by other targets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@kami-verify/server';

const { db, count } = JSON.parse(process.argv[2]);
const dir = db === 'file' ? mkdtempSync(join(tmpdir(), 'kami-bench-bulk-')) : undefined;
const running = await startServer({
  port: 0,
  db: dir ? join(dir, 'pglite') : db,
  quiet: true,
  logger: false,
  config: { apps: [{ name: `bulk-${Date.now()}` }], server: { throttle: false } },
});
const app = running.apps[0];
const start = process.hrtime.bigint();
const created = await running.service.bulkCreateCards({ app, type: 1, count });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
await running.close();
if (dir) rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ created, seconds, cardsPerSecond: created / seconds }));
