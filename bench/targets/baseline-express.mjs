// Baseline: a bare Express 5 handler that parses a form body and answers with a body of the given size.
import express from 'express';
import { bodyOfSize, sizeOf } from './baseline-body.mjs';

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
