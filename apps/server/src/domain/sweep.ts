// Expired sessions and user tokens are refused by every lookup already; deleting them only keeps
// the tables small. Login drops its own card's dead sessions; this sweeps the rest now and then.
import type { DomainContext } from './context';

/** Logins between automatic sweeps. */
export const SWEEP_EVERY_LOGINS = 1000;

export async function sweepExpired(ctx: DomainContext): Promise<{ sessions: number; tokens: number }> {
  const now = ctx.clock.now();
  const sessions = await ctx.db.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
  const tokens = await ctx.db.query('DELETE FROM potato_tokens WHERE expires_at <= $1', [now]);
  return { sessions: sessions.rowCount, tokens: tokens.rowCount };
}
