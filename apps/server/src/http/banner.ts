// The startup text. Its first line is the URL alone, so scripts can read it; secrets are printed
// only for the demo app (whose whole point is to be tried at once), never for configured apps:
// for those it says where to get them (the admin API, through `kami apps show NAME --secrets`).
import { describeDatabase } from '../config/database';
import { type DatabaseSpec, T3_ROUTE_NAMES } from '../domain/types';
import type { RunningServer } from './start-server';

export interface BannerExtras {
  /** A fresh admin token made for this (demo) start; printed once, never logged. */
  adminToken?: string;
}

// Labels are padded to the longest one (a route name), so every value starts in one column.
const LABEL_WIDTH = Math.max('browser card'.length, ...T3_ROUTE_NAMES.map((r) => r.length));
const row = (label: string, value: string) => `  ${label.padEnd(LABEL_WIDTH)} ${value}`;

function routeLines(running: Pick<RunningServer, 'url'>, routes: Record<string, string>): string[] {
  return T3_ROUTE_NAMES.map((r) => row(r, `POST ${running.url}/${routes[r]}`));
}

export function formatBanner(
  running: Pick<RunningServer, 'url' | 'apps' | 'demo'>,
  db: DatabaseSpec,
  extras: BannerExtras = {},
): string {
  const lines = [
    running.url,
    `Kami Verify server — store: ${describeDatabase(db)}`,
    `API reference: ${running.url}/docs`,
  ];
  if (running.demo) {
    const { app, potatoUser, card, browserCard } = running.demo;
    lines.push(
      '',
      `Demo app "${app.name}" (no --config given; settings are the defaults: timestamp and signature checks on)`,
      row('APPKEY', app.appKey),
      row('askKey', app.askKey),
      ...routeLines(running, app.routes),
      row('potato user', `userNumber=${potatoUser.userNumber} passWord=${potatoUser.passWord}`),
      row('fresh card', `${card} (天卡, unused)`),
      row(
        'browser card',
        `${browserCard} (天卡, unused: the browser quickstart's, as the one above gets bound)`,
      ),
      '',
      'Try it with the quickstarts (https://github.com/kami-verify/kami-verify/blob/main/docs/quickstart-node.md): paste this in another terminal',
      `  export KAMI_URL=${running.url} KAMI_APPKEY=${app.appKey} KAMI_LOGIN_CODE=${app.routes.login} KAMI_HEARTBEAT_CODE=${app.routes.heartbeat} KAMI_CARD=${card}`,
    );
  } else {
    for (const app of running.apps) {
      lines.push(
        '',
        `App "${app.name}"`,
        ...routeLines(running, app.routes),
        row('secrets', `kami apps show ${app.name} --secrets   (APPKEY and askKey; needs an admin token)`),
      );
    }
  }
  if (extras.adminToken) {
    lines.push(
      '',
      'Admin token (for the kami CLI and the admin API, docs/operations.md; a new one each demo start, the last one revoked)',
      `  export KAMI_URL=${running.url} KAMI_TOKEN=${extras.adminToken}`,
      '  npx kami apps list        # then: npx kami cards create --app demo --kind time --type day --count 5',
    );
  }
  return `${lines.join('\n')}\n`;
}
