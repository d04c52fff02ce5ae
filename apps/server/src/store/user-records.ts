// An app's user account (账号模式) as the store holds it. The domain decides every change; both
// adapters read and write exactly these fields. Not to be confused with potato_users (resellers).

export interface UserRecord {
  id: string;
  appId: string;
  username: string;
  /** scrypt$N$r$p$salt$hash (domain/passwords.ts). Never logged. */
  passHash: string;
  email: string;
  disabled: boolean;
  imei: string | null;
  boundIp: string | null;
  /** The province or city bound by region IP binding (domain/ip-region). */
  boundRegion: string | null;
  /** Unbinds so far. */
  change: number;
  core: string;
  /** Unix seconds the recharged time lasts until; null before any time was recharged. */
  expiresAt: number | null;
  /** Logins left from recharged count cards; null before any was recharged. */
  usesLeft: number | null;
  /** Cards recharged into the account. */
  recharges: number;
  /** Unix seconds of the first login (the reply's use_time); null before it. */
  firstLogin: number | null;
  createdAt: number; // ms
  modifiedAt: number; // ms
}

export interface UserSessionRecord {
  statecode: string;
  userId: string;
  appId: string;
  imei: string;
  /** ms */
  expiresAt: number;
  /** ms */
  createdAt: number;
  /** sha-256 hex of the login token the session was opened with (cloud_doc); absent on older rows. */
  tokenHash?: string | undefined;
}
