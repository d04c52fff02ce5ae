#!/usr/bin/env node
// A reseller shop: the buyer picks a plan, the shop mints a card on the licence server with
// createCardMy (potatocloud API) and shows it. The reseller credentials stay here, on the
// server — never in a page or a client (anyone could read them and mint cards).
//
//   KAMI_URL=http://127.0.0.1:8080 KAMI_APPKEY=… KAMI_ASKKEY=… KAMI_POTATO_USER=demo \
//   KAMI_POTATO_PASSWORD=… node src/server.mjs        (values from `npm start`'s banner)
import { createVerify, KamiError } from '@kami-verify/node';
import express from 'express';

const PLANS = {
  0: '天卡 (1 day)',
  1: '周卡 (1 week)',
  2: '月卡 (1 month)',
  3: '季卡 (3 months)',
  4: '年卡 (1 year)',
  5: '永久卡 (lifetime)',
};

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`reseller-backend: set ${name} (see the README: the values come from npm start's banner)`);
    process.exit(2);
  }
  return value;
}

const verify = createVerify({
  baseUrl: required('KAMI_URL'),
  appKey: required('KAMI_APPKEY'),
  routes: {},
  potato: {
    askKey: required('KAMI_ASKKEY'),
    userNumber: required('KAMI_POTATO_USER'),
    passWord: required('KAMI_POTATO_PASSWORD'),
    ...(process.env.KAMI_SIGN_SECRET ? { signSecret: process.env.KAMI_SIGN_SECRET } : {}),
  },
});

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body) =>
  `<!doctype html><meta charset="utf-8"><title>Card shop</title><h1>Card shop</h1>${body}`;

const app = express();
app.use(express.urlencoded({ extended: false }));

app.get('/', (_req, res) => {
  const options = Object.entries(PLANS)
    .map(([type, label]) => `<option value="${type}">${escapeHtml(label)}</option>`)
    .join('');
  res.send(
    page(
      `<form method="post" action="/buy"><select name="type">${options}</select> <button>Buy</button></form>`,
    ),
  );
});

// JSON for scripts and the test; the form posts here too and gets HTML back.
app.post('/buy', async (req, res) => {
  const type = Number(req.body?.type);
  if (!(type in PLANS)) {
    res.status(400).json({ error: 'type must be 0–5' });
    return;
  }
  try {
    // One card per purchase (total 1–10 per call). A real shop takes the payment first.
    const [card] = await verify.createCardMy({ type, total: 1 });
    console.log(`sold ${PLANS[type]}: ${card.cardStr}`);
    if (req.accepts(['html', 'json']) === 'json') res.json({ plan: PLANS[type], card: card.cardStr });
    else res.send(page(`<p>Your ${escapeHtml(PLANS[type])} card:</p><pre>${escapeHtml(card.cardStr)}</pre>`));
  } catch (error) {
    const message = KamiError.isInstance(error) ? `${error.code}: ${error.message}` : String(error);
    console.error(`createCardMy failed: ${message}`);
    res.status(502).json({ error: message });
  }
});

const port = Number(process.env.PORT ?? 3000);
const listener = app.listen(port, '127.0.0.1', () => {
  console.log(`reseller shop on http://127.0.0.1:${listener.address().port}`);
});
const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
