// Reply shapes of the admin API (schema/admin.ts describes them) and the opaque keyset cursor.
import { adminCardState } from '../../domain/admin';
import type { AppRecord } from '../../domain/types';
import type { AdminCard, AdminTokenRecord } from '../../store/sql/admin';
import type { SessionRecord } from '../../store/storage';
import { AdminError } from './framing';

export function tokenView(t: AdminTokenRecord) {
  return {
    id: t.id,
    name: t.name,
    scope: t.scope,
    apps: t.apps,
    createdAt: t.createdAt,
    revokedAt: t.revokedAt,
  };
}

/** Settings without their secrets (RSA private key, potato sign secret) unless asked for. */
function settingsView(app: AppRecord, secrets: boolean): Record<string, unknown> {
  if (secrets) return { ...app.settings };
  const { potatoSignSecret: _s, ...rest } = app.settings;
  const encoding = { ...app.settings.encoding } as Record<string, unknown>;
  delete encoding.privateKey;
  return { ...rest, encoding };
}

export function appView(app: AppRecord, secrets: boolean) {
  return {
    id: app.id,
    name: app.name,
    origin: app.origin ?? 'config',
    routes: { ...app.routes },
    settings: settingsView(app, secrets),
    rotation: {
      appKeyOverlapUntil: app.previous?.appKey?.until ?? null,
      askKeyOverlapUntil: app.previous?.askKey?.until ?? null,
    },
    ...(secrets
      ? {
          secrets: {
            appKey: app.appKey,
            askKey: app.askKey,
            previousAppKey: app.previous?.appKey?.key ?? null,
            previousAskKey: app.previous?.askKey?.key ?? null,
          },
        }
      : {}),
  };
}

export function cardView(card: AdminCard, nowSeconds: number) {
  return {
    key: card.cardStr,
    kind: card.kind,
    type: card.type,
    state: adminCardState(card, nowSeconds),
    device: card.imei,
    firstUse: card.activatedAt,
    expiresAt: card.expiresAt,
    usesLeft: card.usesLeft,
    changes: card.change,
    remark: card.remark,
    batch: card.batch,
    createdAt: card.createdAt,
  };
}

export function sessionView(s: SessionRecord & { cardStr: string }) {
  return {
    statecode: s.statecode,
    key: s.cardStr,
    device: s.imei,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
  };
}

/** Keyset cursor: the (time, id) of the last row seen, base64url. */
export function encodeCursor(time: number, id: string): string {
  return Buffer.from(`${time}.${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { time: number; id: string } {
  const m = /^(\d{1,16})\.([0-9]{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AdminError(400, 'cursor: not a cursor this API gave out', 'cursor');
  return { time: Number(m[1]), id: m[2] as string };
}
