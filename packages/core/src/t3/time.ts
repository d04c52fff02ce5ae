// Every date on the wire is Beijing time (UTC+8, no DST), whatever the machine's zone.
const BEIJING_OFFSET_SECONDS = 8 * 3600;

function beijingParts(epochSeconds: number) {
  const d = new Date((Math.floor(epochSeconds) + BEIJING_OFFSET_SECONDS) * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return {
    y: String(d.getUTCFullYear()).padStart(4, '0'),
    mo: p2(d.getUTCMonth() + 1),
    d: p2(d.getUTCDate()),
    h: p2(d.getUTCHours()),
    mi: p2(d.getUTCMinutes()),
    s: p2(d.getUTCSeconds()),
  };
}

/** The `date` field: the server's minute as `yyyyMMddHHmm`, Beijing time. */
export function formatBeijingMinute(epochSeconds: number): string {
  const p = beijingParts(epochSeconds);
  return `${p.y}${p.mo}${p.d}${p.h}${p.mi}`;
}

/** The `end_time` format: `YYYY-MM-DD HH:mm:ss`, Beijing time. */
export function formatBeijingDateTime(epochSeconds: number): string {
  const p = beijingParts(epochSeconds);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}`;
}

/** Parses `YYYY-MM-DD HH:mm:ss` (Beijing time) to epoch seconds; `undefined` if malformed. */
export function parseBeijingDateTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  if (h > 23 || mi > 59 || s > 59 || mo < 1 || mo > 12 || d < 1) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls an out-of-range day over (02-30 → 03-02): refuse it. (Years below 100 would be
  // read as 19xx by Date.UTC; the regex admits them, so compare the year too.)
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCFullYear() !== y) return undefined;
  return ms / 1000 - BEIJING_OFFSET_SECONDS;
}

/** What a permanent card's `end_time` says (inferred: the hosted service's value is undocumented). */
export const PERMANENT_END_TIME = '2099-12-31 23:59:59';

/** Current unix time in whole seconds (the 10-digit `t`). */
export function unixSeconds(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000);
}
