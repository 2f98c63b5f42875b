// Turns an AnalysisResult's alert columns into self-describing output rows and serializes them as
// JSON Lines or CSV (papaparse's unparse), whole or one row at a time so the CLI can stream and the
// page can export. Owns the wording of the plain-English alert message. Never touches WASM memory
// or the DOM; every string from the input is data (CSV cells that look like spreadsheet formulas
// get a leading apostrophe, OWASP "CSV injection").
import Papa from 'papaparse';
import { DET_ZSCORE, SEV_HIGH, SEV_LOW, SEV_MEDIUM } from '../shared/abi';
import type { AnalysisResult } from '../shared/protocol';

/** One alert as an output row. Units: bytes for sizes, seconds since the epoch for `ts`. */
export interface AlertRow {
  /** Detector name: "zscore" (DET_ZSCORE), else "detector-<id>". */
  detector: string;
  severity: 'low' | 'medium' | 'high';
  /** |z| rounded to 2 decimals. */
  score: number;
  /** Signed z-score, rounded to 3 decimals (the packet's size against the channel baseline). */
  z: number;
  /** Packet (or row) timestamp, seconds since the Unix epoch, µs precision. */
  ts: number;
  /** Channel strings from result.channels: addresses, node names, protocol name. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: string;
  /** Packet size, bytes. */
  size: number;
  /** Baseline mean and standard deviation (before the σ floor), bytes, rounded to 2 decimals. */
  mean: number;
  std: number;
  /** Packets in the baseline. */
  samples: number;
  /** |z| threshold the analysis ran with (result.options.zscore.threshold). */
  threshold: number;
  /** Plain-English explanation. */
  message: string;
  /** 1-based packet number (pcap/pcapng) or data-row number (CSV/JSON) in the input. */
  record: number;
  /** The original row's fields, when the input was CSV/JSON (result.rowFields). */
  fields?: Record<string, unknown>;
}

/** The CSV columns before the `field.<name>` columns. */
export const ALERT_CSV_COLUMNS = [
  'detector', 'severity', 'score', 'z', 'ts', 'src', 'dst', 'sport', 'dport', 'proto', 'size',
  'mean', 'std', 'samples', 'threshold', 'record', 'message',
] as const;

const round = (v: number, d: number): number => {
  const f = 10 ** d;
  return Math.round(v * f) / f;
};

/** Bytes/σ for messages: integers as is, else one decimal. */
const fmt = (v: number): string => (Number.isFinite(v) ? String(round(v, 1)) : String(v));

function severityName(s: number): AlertRow['severity'] {
  return s === SEV_HIGH ? 'high' : s === SEV_MEDIUM ? 'medium' : s === SEV_LOW ? 'low' : 'low';
}

/** "A → B (TCP)" with ":port" on each end when the alert has ports. */
function channelText(src: string, dst: string, sport: number, dport: number, proto: string): string {
  const end = (a: string, p: number): string => (p === 0 ? a : a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
  return `${end(src, sport)} → ${end(dst, dport)} (${proto})`;
}

/**
 * The i-th alert of `result` (0 ≤ i < result.alerts.count) as an AlertRow. The message reads e.g.
 * "Packet of 5000 B on A → B (TCP) is 38.9σ above the channel's mean of 1100 B (σ 100 B over 3
 * packets; threshold 3σ)".
 */
export function alertRow(result: AnalysisResult, i: number): AlertRow {
  const a = result.alerts;
  const ch = result.channels[a.channel[i]] ?? { src: '?', dst: '?', proto: '?' };
  const z = a.z[i];
  const threshold = result.options.zscore.threshold;
  const samples = a.samples[i];
  const det = a.detector[i];
  const row: AlertRow = {
    detector: det === DET_ZSCORE ? 'zscore' : `detector-${det}`,
    severity: severityName(a.severity[i]),
    score: round(Math.abs(z), 2),
    z: round(z, 3),
    ts: a.tsUs[i] / 1e6,
    src: ch.src,
    dst: ch.dst,
    sport: a.sport[i],
    dport: a.dport[i],
    proto: ch.proto,
    size: a.size[i],
    mean: round(a.mean[i], 2),
    std: round(a.std[i], 2),
    samples,
    threshold,
    message:
      `Packet of ${fmt(a.size[i])} B on ${channelText(ch.src, ch.dst, a.sport[i], a.dport[i], ch.proto)} is ` +
      `${fmt(Math.abs(z))}σ ${z >= 0 ? 'above' : 'below'} the channel's mean of ${fmt(a.mean[i])} B ` +
      `(σ ${fmt(a.std[i])} B over ${samples} packet${samples === 1 ? '' : 's'}; threshold ${fmt(threshold)}σ)`,
    record: a.recordIndex[i] + 1,
  };
  const fields = result.rowFields?.[i];
  if (fields) row.fields = fields;
  return row;
}

/** Every alert of `result` in order as AlertRows (an array: ≤ maxAlerts rows, 200,000 by default;
 *  use alertRow() to produce them one at a time instead). */
export function alertRecords(result: AnalysisResult): AlertRow[] {
  const rows: AlertRow[] = new Array(result.alerts.count);
  for (let i = 0; i < result.alerts.count; i++) rows[i] = alertRow(result, i);
  return rows;
}

/** One JSON Lines record for `row`, without the trailing newline. Non-finite numbers become null. */
export function toJsonlRow(row: AlertRow): string {
  return JSON.stringify(row);
}

/** All rows as JSON Lines: one object per line, each line ending in "\n". */
export function toJsonl(rows: Iterable<AlertRow>): string {
  let out = '';
  for (const r of rows) out += toJsonlRow(r) + '\n';
  return out;
}

/** Names of the original row fields of `result` (union over rowFields, first-seen order). */
export function rowFieldNames(result: AnalysisResult): string[] {
  const seen = new Set<string>();
  for (const f of result.rowFields ?? []) for (const k of Object.keys(f)) seen.add(k);
  return [...seen];
}

/** CSV columns: ALERT_CSV_COLUMNS then `field.<name>` for each original field name. */
export function csvColumns(fieldNames: Iterable<string> = []): string[] {
  return [...ALERT_CSV_COLUMNS, ...[...fieldNames].map((n) => `field.${n}`)];
}

/** CSV columns for a set of rows: the union of their original field names, first-seen order. */
function columnsOfRows(rows: Iterable<AlertRow>): string[] {
  const names = new Set<string>();
  for (const r of rows) if (r.fields) for (const k of Object.keys(r.fields)) names.add(k);
  return csvColumns(names);
}

/** Formula-looking text ("=...", "+...", "-...", "@...", tab, CR) but not plain numbers like "-1". */
const FORMULA = /^[=+\-@\t\r](?![0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?$)/;
const UNPARSE: Papa.UnparseConfig = { header: false, newline: '\n', escapeFormulae: FORMULA };

/**
 * The CSV header line, without the trailing newline. Pass the column list (csvColumns()) or the
 * rows themselves (their field names are collected; materialized rows only).
 */
export function toCsvHeader(rowsOrColumns: readonly AlertRow[] | readonly string[]): string {
  const columns =
    rowsOrColumns.length > 0 && typeof rowsOrColumns[0] !== 'string'
      ? columnsOfRows(rowsOrColumns as readonly AlertRow[])
      : rowsOrColumns.length > 0
        ? (rowsOrColumns as readonly string[])
        : csvColumns();
  return Papa.unparse([columns as string[]], UNPARSE);
}

/**
 * One CSV data line for `row`, without the trailing newline. `columns` defaults to the base
 * columns plus this row's own field names, which matches toCsvHeader(rows) whenever all rows have
 * the same fields (always true for one CSV input); pass columns when they may differ (JSON).
 * Nested original values are written as JSON text; missing ones as empty cells.
 */
export function toCsvRow(row: AlertRow, columns: readonly string[] = csvColumns(Object.keys(row.fields ?? {}))): string {
  const cells = columns.map((c) => {
    let v: unknown;
    if (c.startsWith('field.')) v = row.fields?.[c.slice(6)];
    else v = (row as unknown as Record<string, unknown>)[c];
    if (v === undefined || v === null) return '';
    if (typeof v === 'object') return JSON.stringify(v);
    return v as string | number | boolean;
  });
  return Papa.unparse([cells], UNPARSE);
}

/** All rows as CSV: a header row, then one line per row, each ending in "\n". */
export function toCsv(rows: Iterable<AlertRow>, columns?: readonly string[]): string {
  const arr = [...rows];
  const cols = columns ?? columnsOfRows(arr);
  let out = toCsvHeader(cols) + '\n';
  for (const r of arr) out += toCsvRow(r, cols) + '\n';
  return out;
}
