// How a command prints rows: a table for people (default), JSON or CSV for scripts. Progress
// bars and notes go to stderr, so stdout stays parseable whichever format is chosen.
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { usageError } from './exit-codes';

export type Format = 'table' | 'json' | 'csv';

export interface FormatFlags {
  json?: boolean;
  csv?: boolean;
}

export function formatOf(flags: FormatFlags): Format {
  if (flags.json && flags.csv) throw usageError('--json and --csv: choose one');
  return flags.json ? 'json' : flags.csv ? 'csv' : 'table';
}

/** A column: the field of each row, and its header in tables and CSV. */
export interface Column {
  key: string;
  header?: string;
}

// No rule between rows: long listings stay readable.
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** Rows as text in the chosen format (ends with a newline; an empty table says so). */
export function renderRows(rows: readonly object[], columns: readonly Column[], format: Format): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const headers = columns.map((c) => c.header ?? c.key);
  const cells = rows.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c.key])));
  if (format === 'csv') return stringify([headers, ...cells]);
  if (rows.length === 0) return '(none)\n';
  const table = new Table({ head: headers, style: { head: [], border: [] }, chars: COMPACT });
  table.push(...cells);
  return `${table.toString()}\n`;
}

/** One record (a `show`): key/value lines for people, the object for scripts. */
export function renderRecord(record: Record<string, unknown>, format: Format): string {
  if (format === 'json') return `${JSON.stringify(record, null, 2)}\n`;
  if (format === 'csv') return stringify([Object.keys(record), Object.values(record).map(cell)]);
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return `${Object.entries(record)
    .map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`)
    .join('\n')}\n`;
}
