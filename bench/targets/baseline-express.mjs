// Baseline: a bare Express 5 handler that parses a form body and answers with a body of the given size.
import express from 'express';

const size = Number(process.argv[2] ?? 300);
const body = JSON.stringify({ code: '200', pad: 'x'.repeat(Math.max(0, size - 24)) });
const app = express();
app.disable('x-powered-by');
app.use(express.text({ type: '*/*' }));
app.all('/{*any}', (_req, res) => {
  res.type('application/json').send(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
