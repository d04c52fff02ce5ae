// Baseline: the cheapest possible Node HTTP handler, answering with a body of the given size.
import { createServer } from 'node:http';

// The body size comes from `?size=N`, so each scenario's baseline answers as many bytes as the
// real endpoint does.
const bodies = new Map();
function bodyOfSize(size) {
  let body = bodies.get(size);
  if (!body) {
    body = JSON.stringify({ code: '200', pad: 'x'.repeat(Math.max(0, size - 24)) });
    bodies.set(size, body);
  }
  return body;
}
const sizeOf = (url) => Number(/[?&]size=(\d+)/.exec(url ?? '')?.[1] ?? 300);
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
