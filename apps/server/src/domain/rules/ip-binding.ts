// IP binding (settings.ipBinding), one rule for card and account logins: the first login binds
// the exact IP ('ip' / 'exact') or its region ('province' / 'city', located by http/ip-region.ts).
import type { AppRecord, Fail } from '../types';
import { fail } from './card-state';

type IpBinding = AppRecord['settings']['ipBinding'];

/** What a first login binds: the exact IP, or the province / city region string. */
export function ipBindingOf(
  mode: IpBinding,
  ip: string,
  region: string | undefined,
): { ip: string | null; region: string | null } {
  if (mode === 'exact' || mode === 'ip') return { ip: ip !== '' ? ip : null, region: null };
  if (mode === 'province' || mode === 'city') return { ip: null, region: region ?? null };
  return { ip: null, region: null };
}

/** 请在原IP登录 / 请在原省内登录 / 请在市内登录 against what the first login bound. */
export function ipBindingRefusal(
  mode: IpBinding,
  bound: { boundIp: string | null; boundRegion?: string | null },
  ip: string,
  region: string | undefined,
): Fail | undefined {
  if ((mode === 'exact' || mode === 'ip') && bound.boundIp !== null && bound.boundIp !== ip)
    return fail('IP_MISMATCH');
  const boundRegion = bound.boundRegion ?? null;
  // An address with no region (unknown to the database) is not refused: see docs/server.md.
  if (boundRegion === null || region === undefined) return undefined;
  if (mode === 'province' && boundRegion !== region) return fail('PROVINCE_MISMATCH');
  if (mode === 'city' && boundRegion !== region) return fail('CITY_MISMATCH');
  return undefined;
}
