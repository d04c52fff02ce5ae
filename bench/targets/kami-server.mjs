// The reference server as a benchmark target, in its own process: a fixed app with signature and
// timestamp checks on (the realistic setting), CARD_COUNT year cards (many clients, not one card
// hammered: one row would serialise every login on PostgreSQL), as many count cards (every login
// of those is a durable write: a use), a reseller account.
import { startServer } from '@kami-verify/server';

const { db } = JSON.parse(process.argv[2] ?? '{}');
const APP_KEY = 'benchappkey0123456789abcdef012345';
const routes = {
  login: 'B000000000000001',
  heartbeat: 'B000000000000002',
  query: 'B000000000000003',
  unbind: 'B000000000000004',
  notice: 'B000000000000005',
  version: 'B000000000000006',
  check_update: 'B000000000000007',
};
const CARD_COUNT = 1000;
const cards = Array.from({ length: CARD_COUNT }, (_, i) => `BENCHCARD${String(i).padStart(24, '0')}`);
const countCards = Array.from({ length: CARD_COUNT }, (_, i) => `BENCHCOUNT${String(i).padStart(23, '0')}`);
const card = cards[0];
const running = await startServer({
  port: 0,
  db,
  quiet: true,
  logger: false,
  config: {
    apps: [
      {
        name: 'bench',
        appKey: APP_KEY,
        askKey: 'benchaskkey',
        routes,
        settings: { statecodeValiditySeconds: 3600 },
        potatoUsers: [{ userNumber: 'reseller', passWord: 'bench-password' }],
        cards: [
          ...cards.map((cardStr) => ({ cardStr, card: { kind: 'time', type: 4 } })),
          ...countCards.map((cardStr) => ({ cardStr, card: { kind: 'count', uses: 1_000_000 } })),
        ],
      },
    ],
    server: { throttle: false },
  },
});
console.log(
  JSON.stringify({
    url: running.url,
    appKey: APP_KEY,
    routes,
    card,
    cards,
    countCards,
    askKey: 'benchaskkey',
  }),
);

const shutdown = () => running.close().then(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
