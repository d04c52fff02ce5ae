// A tiny static server for the Chromium tests: the built package, core's ESM build and the
// test pages.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const browserDist = fileURLToPath(new URL('../../dist/', import.meta.url));
const coreDist = fileURLToPath(new URL('../../../core/dist/', import.meta.url));
const cryptoJsDir = dirname(createRequire(import.meta.url).resolve('crypto-js/core.js')) + sep;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

/** How the ESM page resolves the bare specifiers of dist/index.js (what a bundler would do). */
const IMPORT_MAP = {
  imports: {
    '@kami-verify/browser': '/dist/index.js',
    '@kami-verify/core': '/core/index.js',
    // crypto-js ships CommonJS/UMD files only: a bundler wraps them; a browser without one
    // loads them as classic scripts (they define a global CryptoJS), exposed as ES modules here.
    'crypto-js/core.js': '/shim/crypto-js-core.js',
    'crypto-js/md5.js': '/shim/crypto-js-md5.js',
  },
};

const PAGES: Record<string, string> = {
  '/blank.html': '<!doctype html><meta charset="utf-8"><title>blank</title>',
  '/script.html':
    '<!doctype html><meta charset="utf-8"><title>script</title><script src="/dist/kami-verify.global.js"></script>',
  '/esm.html': `<!doctype html><meta charset="utf-8"><title>esm</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<script src="/crypto-js/core.js"></script><script src="/crypto-js/md5.js"></script>
<script type="module">
import * as KamiVerify from '@kami-verify/browser';
window.KV = KamiVerify;
window.dispatchEvent(new Event('kv-ready'));
</script>`,
  '/shim/crypto-js-core.js': 'export default globalThis.CryptoJS;',
  '/shim/crypto-js-md5.js': 'export default globalThis.CryptoJS.MD5;',
};

export interface StaticServer {
  origin: string;
  close(): Promise<void>;
}

export async function startStaticServer(): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // Chromium asks for it on every page; a 404 would show up as a console error.
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    try {
      let body: string | Buffer | undefined = PAGES[path];
      if (body === undefined) {
        const [root, rest] = path.startsWith('/dist/')
          ? [browserDist, path.slice(6)]
          : path.startsWith('/core/')
            ? [coreDist, path.slice(6)]
            : path.startsWith('/crypto-js/')
              ? [cryptoJsDir, path.slice(11)]
              : [undefined, ''];
        const file = root === undefined ? undefined : normalize(join(root, rest));
        // Nothing outside these folders is served (no `..` escapes).
        if (root === undefined || file === undefined || !file.startsWith(root)) throw new Error('not found');
        body = await readFile(file);
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
