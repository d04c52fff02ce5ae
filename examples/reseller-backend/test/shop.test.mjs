// Against the real demo server (`kami-server`, what `npm start` runs): start it, start the shop
// with the credentials its banner prints, buy a card, then log in with that card.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { createVerify } from '@kami-verify/node';

const require = createRequire(import.meta.url);
const serverCli = require
  .resolve('@kami-verify/server/package.json')
  .replace(/package\.json$/, 'dist/cli.js');
const children = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts a process, resolves with its stdout lines once `ready` matches one. */
function run(args, env, ready) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (ready.test(line)) resolve({ child, lines });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${stderr}`)));
  });
}

test('sells a card that logs in', async () => {
  const server = await run([serverCli, '--port', '0', '--db', 'memory'], {}, /^ {2}export KAMI_URL=/);
  const banner = server.lines.join('\n');
  const field = (re) => re.exec(banner)?.[1] ?? assert.fail(`banner lacks ${re}`);
  const url = server.lines[0];
  const env = {
    KAMI_URL: url,
    KAMI_APPKEY: field(/APPKEY\s+(\S+)/),
    KAMI_ASKKEY: field(/askKey\s+(\S+)/),
    KAMI_POTATO_USER: field(/userNumber=(\S+)/),
    KAMI_POTATO_PASSWORD: field(/passWord=(\S+)/),
    PORT: '0',
  };
  const shop = await run(['src/server.mjs'], env, /^reseller shop on /);
  const shopUrl = shop.lines.at(-1).replace('reseller shop on ', '');

  const form = await (await fetch(shopUrl)).text();
  assert.match(form, /<select name="type">.*月卡/);

  const res = await fetch(`${shopUrl}/buy`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: 'type=0',
  });
  assert.equal(res.status, 200);
  const bought = await res.json();
  assert.match(bought.card, /^[0-9A-F]{32}$/);
  assert.equal(bought.plan, '天卡 (1 day)');

  const html = await (
    await fetch(`${shopUrl}/buy`, { method: 'POST', body: new URLSearchParams({ type: '2' }) })
  ).text();
  assert.match(html, /Your 月卡 \(1 month\) card:<\/p><pre>[0-9A-F]{32}<\/pre>/);

  // The card is real: it logs in on the licence server.
  const client = createVerify({
    baseUrl: url,
    appKey: env.KAMI_APPKEY,
    routes: { login: field(/login\s+POST \S+\/([0-9A-F]{16})/) },
  });
  const session = await client.login(bought.card, 'SHOP-TEST-MACHINE');
  assert.ok(session.statecode);

  assert.equal(
    (await fetch(`${shopUrl}/buy`, { method: 'POST', body: new URLSearchParams({ type: '9' }) })).status,
    400,
  );
  shop.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
});
