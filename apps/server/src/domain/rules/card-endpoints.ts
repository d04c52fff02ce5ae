// Rules of the T3 card endpoints beyond login: 以卡充卡 (kami_recharge), IP unbind, the client
// disabling its own card, core data, app signatures. Pure functions; the service runs them
// inside the store's atomic sections.
import { timingSafeEqualString } from '@kami-verify/core';
import type { AppRecord, CardRecord, Fail } from '../types';
import { checkExists, fail } from './card-state';
import { unbindIp } from './unbind';

type Values = ReadonlyMap<string, string>;
const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/** kami_recharge: both cards are required (卡密不可为空 / 充值卡密不可为空). */
export function rechargeFields(values: Values): { target: string; source: string } | Fail {
  const target = values.get('target_kami');
  const source = values.get('source_kami');
  if (!present(target)) return fail('CARD_REQUIRED');
  if (!present(source)) return fail('SOURCE_CARD_REQUIRED');
  return { target, source };
}

/**
 * 以卡充卡: the source card's whole term goes onto the target, and the source is used up, in one
 * decision. The target must exist, be enabled and activated (被充卡密未激活); the source must
 * exist, be enabled and never used (充值卡密已被使用). Kinds must match (卡密类型不一致,无法充值):
 * time into time adds the source's duration to the target's expiry (counted from now when the
 * target already expired); count into count adds its uses. A permanent card has nothing to add
 * and nothing to receive, so it is refused either way.
 */
export function decideKamiRecharge(
  target: CardRecord | undefined,
  source: CardRecord | undefined,
  nowMs: number,
): { ok: true; target: CardRecord; source: CardRecord } | Fail {
  const refused = checkExists(target);
  if (refused) return refused;
  if (!target) return fail('CARD_NOT_FOUND');
  if (target.activatedAt === null) return fail('TARGET_CARD_NOT_ACTIVATED');
  if (!source || source.status === 0) return fail('SOURCE_CARD_NOT_FOUND');
  if (source.disabled) return fail('SOURCE_CARD_DISABLED');
  if (source.activatedAt !== null || source.imei !== null || source.id === target.id)
    return fail('SOURCE_CARD_USED');
  const now = Math.floor(nowMs / 1000);
  if (target.kind === 'time' && source.kind === 'time') {
    const from = Math.max(target.expiresAt ?? now, now);
    return {
      ok: true,
      target: { ...target, expiresAt: from + (source.durationSeconds ?? 0), modifiedAt: nowMs },
      // Used up: activated and expired at once, so it can never log in or recharge again.
      source: { ...source, activatedAt: now, expiresAt: now, modifiedAt: nowMs },
    };
  }
  if (target.kind === 'count' && source.kind === 'count') {
    const uses = source.usesLeft ?? 0;
    return {
      ok: true,
      target: {
        ...target,
        usesTotal: (target.usesTotal ?? 0) + uses,
        usesLeft: (target.usesLeft ?? 0) + uses,
        modifiedAt: nowMs,
      },
      source: { ...source, activatedAt: now, usesLeft: 0, modifiedAt: nowMs },
    };
  }
  return fail('CARD_KIND_MISMATCH');
}

/** ip_unbind of a card: 卡密不存在, 卡密被禁用, then {@link unbindIp} (卡密未绑定IP). */
export function decideIpUnbind(
  card: CardRecord | undefined,
  nowMs: number,
): { ok: true; after: CardRecord } | Fail {
  const refused = checkExists(card);
  if (refused || !card) return refused ?? fail('CARD_NOT_FOUND');
  return unbindIp(card, nowMs, 'IP_NOT_BOUND');
}

/** disable (by the client): the card is disabled and its sessions end; a disabled card says 卡密被禁用. */
export function decideSelfDisable(
  card: CardRecord | undefined,
  nowMs: number,
): { ok: true; after: CardRecord } | Fail {
  const refused = checkExists(card);
  if (refused || !card) return refused ?? fail('CARD_NOT_FOUND');
  return { ok: true, after: { ...card, disabled: true, modifiedAt: nowMs } };
}

/** get_kami_core: the card's core data, for an existing enabled card. */
export function coreOf(card: CardRecord | undefined): { ok: true; core: string } | Fail {
  const refused = checkExists(card);
  if (refused || !card) return refused ?? fail('CARD_NOT_FOUND');
  return { ok: true, core: card.core };
}

/** modify_core: 核心数据 up to the app's coreMaxBytes (数据长度超出限制). `core` may be empty. */
export function coreValue(app: AppRecord, values: Values): { core: string } | Fail {
  const core = values.get('core') ?? '';
  if (new TextEncoder().encode(core).length > app.settings.coreMaxBytes) return fail('DATA_TOO_LONG');
  return { core };
}

export function decideModifyCore(
  card: CardRecord | undefined,
  core: string,
  nowMs: number,
): { ok: true; after: CardRecord } | Fail {
  const refused = checkExists(card);
  if (refused || !card) return refused ?? fail('CARD_NOT_FOUND');
  return { ok: true, after: { ...card, core, modifiedAt: nowMs } };
}

/**
 * app_sign: the configured signature equal to `autograph`, compared in constant time over every
 * configured one (no early exit, so timing reveals neither which nor how much matched).
 */
export function matchAppSignature(app: AppRecord, autograph: string): string | undefined {
  let match: string | undefined;
  for (const candidate of app.settings.appSignatures) {
    if (timingSafeEqualString(candidate, autograph) && match === undefined) match = candidate;
  }
  return match;
}

/** app_sign: 应用签名不可为空. */
export function autographField(values: Values): { autograph: string } | Fail {
  const autograph = values.get('autograph');
  return present(autograph) ? { autograph } : fail('AUTOGRAPH_REQUIRED');
}

/** heartbeat_any: a statecode alone (状态码不可为空). */
export function statecodeField(values: Values): { statecode: string } | Fail {
  const statecode = values.get('statecode');
  return present(statecode) ? { statecode } : fail('STATECODE_REQUIRED');
}
