// The card as the store holds it. The domain decides every change to it; both adapters read and
// write exactly these fields.
import type { CardKind } from '../schema/config';

export interface CardRecord {
  id: string;
  appId: string;
  cardStr: string;
  kind: CardKind['kind'];
  /** potatocloud type 0–5; null for count cards. */
  type: number | null;
  durationSeconds: number | null;
  usesTotal: number | null;
  usesLeft: number | null;
  /** 1 in use, 0 deleted. */
  status: 0 | 1;
  disabled: boolean;
  imei: string | null;
  boundIp: string | null;
  /** With ipBinding 'province' / 'city': the region of the first located login (http/ip-region.ts). */
  boundRegion: string | null;
  /** Unbinds so far. */
  change: number;
  core: string;
  createdIp: string;
  createdAt: number; // ms
  modifiedAt: number; // ms
  activatedAt: number | null; // unix seconds, first login
  expiresAt: number | null; // unix seconds; null until activated or for permanent/count
}
