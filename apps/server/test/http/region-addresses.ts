// Public addresses whose places the bundled ip2region database itself reports (not hard-coded
// guesses): two in one province but different cities, and one in another province. Shared by the
// card and account region-binding tests.
import IP2Region from 'ip2region';

const CANDIDATES = [
  '202.96.128.86',
  '120.24.78.68',
  '221.5.88.88',
  '61.135.169.121',
  '218.30.118.6',
  '114.114.114.114',
];

const db = new IP2Region();
export const placed = CANDIDATES.map((ip) => ({ ip, r: db.search(ip) })).filter(
  (x) => x.r && x.r.country !== '',
);
const pairs = placed.flatMap((a) => placed.map((b) => [a, b] as const));
/** [a, b]: one province, two cities. */
export const sameProvince = pairs.find(
  ([a, b]) => a.r?.province === b.r?.province && a.r?.city !== b.r?.city,
);
/** An address outside `sameProvince`'s province. */
export const otherProvince = placed.find((x) => x.r?.province !== sameProvince?.[0].r?.province);
