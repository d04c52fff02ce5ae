// What a session keeps of the login token it was opened with: a sha-256, never the token (a
// bearer secret for cloud_doc). A session is found by looking the hash up; the found hash is
// compared again in constant time, so no lookup shortcut can stand in for a match.
import { createHash, timingSafeEqual } from 'node:crypto';

export function hashLoginToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `stored` (a session's hash) is the hash of `token`, compared in constant time. */
export function tokenHashMatches(stored: string | undefined, expected: string): boolean {
  if (stored === undefined || stored.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(stored, 'utf8'), Buffer.from(expected, 'utf8'));
}
