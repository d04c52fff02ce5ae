// Baseline: the cheapest possible Node HTTP handler, answering with a body of the given size.
import { createServer } from 'node:http';
import { bodyOfSize, sizeOf } from './baseline-body.mjs';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = bodyOfSize(sizeOf(req.url));
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
