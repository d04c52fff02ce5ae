// Baseline: a bare Express 5 handler that parses a form body and answers with a body of the given size.
import express from 'express';

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
const app = express();
app.disable('x-powered-by');
app.use(express.text({ type: '*/*' }));
app.all('/{*any}', (req, res) => {
  res.type('application/json').send(bodyOfSize(sizeOf(req.url)));
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
