// What may appear in logs. Card keys are credentials: a log line keeps just enough of one to
// find it in the database (`BF28****F251`), never the whole value.

export function maskCard(card: string | undefined): string | undefined {
  if (card === undefined || card === '') return undefined;
  if (card.length < 12) return '****';
  return `${card.slice(0, 4)}****${card.slice(-4)}`;
}

/**
 * Unmatched paths are logged for operators, truncated and stripped of control characters; a
 * 调用码-shaped segment (e.g. a GET on a real route) is replaced, as 调用码 are never logged.
 */
export function safePath(path: string): string {
  const clean = path.replace(/[\u0000-\u001f\u007f]/g, '?').replace(/\b[0-9A-Fa-f]{16}\b/g, '{callCode}');
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
