// What a dump covers: every table of the schema the server uses (the migrations ledger aside,
// which each store keeps for itself), parents before children so a load satisfies foreign keys.
import type { CopySession } from './engines';

export interface TableInfo {
  name: string;
  /** Columns a COPY writes, in table order (generated columns are left out). */
  columns: string[];
}

export const LEDGER = 'schema_migrations';

export async function listTables(session: CopySession): Promise<TableInfo[]> {
  const tables = await session.query<{ oid: number; name: string }>(
    `SELECT c.oid::int AS oid, c.relname AS name FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> $1
      ORDER BY c.relname`,
    [LEDGER],
  );
  const columns = await session.query<{ oid: number; name: string }>(
    `SELECT a.attrelid::int AS oid, a.attname AS name FROM pg_attribute a
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attrelid, a.attnum`,
    [tables.map((t) => t.oid)],
  );
  const edges = await session.query<{ child: number; parent: number }>(
    `SELECT conrelid::int AS child, confrelid::int AS parent FROM pg_constraint
      WHERE contype = 'f' AND conrelid = ANY($1::oid[]) AND conrelid <> confrelid`,
    [tables.map((t) => t.oid)],
  );
  const byOid = new Map(tables.map((t) => [Number(t.oid), { name: t.name, columns: [] as string[] }]));
  for (const c of columns) byOid.get(Number(c.oid))?.columns.push(c.name);
  // Depth-first topological order over foreign keys; the alphabetical start keeps it stable.
  const parents = new Map<number, number[]>();
  for (const e of edges)
    parents.set(Number(e.child), [...(parents.get(Number(e.child)) ?? []), Number(e.parent)]);
  const ordered: TableInfo[] = [];
  const seen = new Set<number>();
  const visit = (oid: number) => {
    if (seen.has(oid) || !byOid.has(oid)) return;
    seen.add(oid);
    for (const p of parents.get(oid) ?? []) visit(p);
    ordered.push(byOid.get(oid)!);
  };
  for (const t of tables) visit(Number(t.oid));
  return ordered;
}

export async function appliedMigrations(session: CopySession): Promise<number[]> {
  const exists = await session.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relname = $1`,
    [LEDGER],
  );
  if (exists.length === 0) return [];
  const rows = await session.query<{ version: number }>(`SELECT version FROM ${LEDGER} ORDER BY version`);
  return rows.map((r) => Number(r.version));
}

export async function countRows(session: CopySession, table: string): Promise<number> {
  const [row] = await session.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`,
  );
  return Number(row?.n ?? 0);
}
