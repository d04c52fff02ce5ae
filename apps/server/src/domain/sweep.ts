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

/** Deletes expired potato user tokens (the embedded store sweeps its sessions itself). */
export async function sweepTokens(ctx: DomainContext): Promise<number> {
  const res = await ctx.db.query('DELETE FROM potato_tokens WHERE expires_at <= $1', [ctx.clock.now()]);
  return res.rowCount;
}
