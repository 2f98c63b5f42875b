// The session export file: one JSON document holding a whole session (src/store/session-store.ts
// LoadedSession) so that it can be handed to a colleague and imported on another page.
//
// Shape (format "flowlens-session", version 1):
//   {
//     "format": "flowlens-session", "version": 1, "exportedAt": "<ISO 8601>",
//     "meta":   SessionMeta (id, name, createdAtMs, file {name, sizeBytes, sha256, lastModifiedMs},
//               baselineName, outcome, packets, bytes, flows, alerts, bySeverity),
//     "result": the stored AnalysisResult (summary, alerts, channels, flowRules, warnings, error?,
//               options, baseline?, profile?, timeline?, conns?, rowFields?),
//     "connsCap": null | { "kept": n, "total": n },
//     "series": [ { "alert": i, "kind": "channel" | "detector", "series": ChannelSeries | DetectorSeries } ],
//     "triage": [ { "alert": i, "state": "new" | "confirmed" | "false-positive", "note": "…", "updatedAtMs": n } ]
//   }
// Typed arrays are written as { "$typed": "<Float64Array|Uint32Array|…>", "base64": "<bytes, little
// endian>" } and numbers JSON cannot hold as { "$num": "NaN" | "Infinity" | "-Infinity" }.
// Reading checks the format, the version and every part the page uses (each alert column of the
// right array type and `count` entries, channel keys of 36 bytes, options through mergeOptions,
// series and triage indices within the alerts); the first problem throws SessionFormatError with
// its JSON path. Never raw packets: a session holds none.
import { DEFAULT_OPTIONS, type AlertColumns, type AnalysisResult, type ConnColumns } from '../shared/protocol';
import { mergeOptions } from '../rules/options';
import {
  SESSION_RECORD_VERSION,
  TRIAGE_STATES,
  readMeta,
  type LoadedSession,
  type SessionMeta,
  type StoredResult,
  type StoredSeries,
  type TriageEntry,
  type TriageState,
} from './session-store';

export const SESSION_FORMAT = 'flowlens-session';
export const SESSION_FILE_VERSION = 1;

/** A session file that cannot be read; `path` is the JSON path of the problem ("" = the file). */
export class SessionFormatError extends Error {
  override name = 'SessionFormatError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(path ? `session file: ${path}: ${problem}` : `session file: ${problem}`);
  }
}

const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string, path: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new SessionFormatError(path, 'invalid base64');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** `v` with typed arrays and non-finite numbers replaced by their JSON forms (see the header). */
export function encodeValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $num: String(v) };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const name = v.constructor.name as TypedName;
    if (!(name in TYPED)) throw new Error(`cannot export a ${name}`);
    return { $typed: name, base64: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(x);
    return out;
  }
  return v;
}

/** The inverse of encodeValue; throws SessionFormatError (with the path) on a bad encoded value. */
export function decodeValue(v: unknown, path: string): unknown {
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, `${path}[${i}]`));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$typed' in o) {
      const name = o.$typed;
      if (typeof name !== 'string' || !(name in TYPED)) throw new SessionFormatError(path, `unknown typed array ${JSON.stringify(name)}`);
      if (typeof o.base64 !== 'string') throw new SessionFormatError(`${path}.base64`, 'expected a base64 string');
      const bytes = fromBase64(o.base64, `${path}.base64`);
      const Ctor = TYPED[name as TypedName];
      if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new SessionFormatError(`${path}.base64`, `${bytes.length} bytes is not a whole number of ${name} entries`);
      return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
    }
    if ('$num' in o) {
      if (o.$num === 'NaN') return NaN;
      if (o.$num === 'Infinity') return Infinity;
      if (o.$num === '-Infinity') return -Infinity;
      throw new SessionFormatError(path, `unknown number ${JSON.stringify(o.$num)}`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeValue(x, `${path}.${k}`);
    return out;
  }
  return v;
}

/** The session as the JSON text of the file format. */
export function sessionToJson(s: LoadedSession, exportedAt = new Date()): string {
  const { problem: _p, ...meta } = s.meta;
  const doc = {
    format: SESSION_FORMAT,
    version: SESSION_FILE_VERSION,
    exportedAt: exportedAt.toISOString(),
    meta: encodeValue(meta),
    result: encodeValue(s.data.result),
    connsCap: s.data.connsCap,
    series: [...s.series].sort((a, b) => a[0] - b[0]).map(([alert, st]) => ({ alert, kind: st.kind, series: encodeValue(st.series) })),
    triage: [...s.triage].sort((a, b) => a[0] - b[0]).map(([alert, t]) => ({ alert, state: t.state, note: t.note, updatedAtMs: t.updatedAtMs })),
  };
  return JSON.stringify(doc);
}

// ---- checks ----------------------------------------------------------------------------------

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) throw new SessionFormatError(path, `expected an object, got ${kind(v)}`);
  return v as Record<string, unknown>;
}
function num(v: unknown, path: string, opts: { int?: boolean; min?: number; finite?: boolean } = {}): number {
  if (typeof v !== 'number' || (opts.finite !== false && !Number.isFinite(v))) throw new SessionFormatError(path, `expected a${opts.finite === false ? '' : ' finite'} number, got ${kind(v)}`);
  if (opts.int && !Number.isInteger(v)) throw new SessionFormatError(path, `expected an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new SessionFormatError(path, `${v} is below the minimum ${opts.min}`);
  return v;
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new SessionFormatError(path, `expected a string, got ${kind(v)}`);
  return v;
}
function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new SessionFormatError(path, `expected an array, got ${kind(v)}`);
  return v;
}
function typed(v: unknown, path: string, name: TypedName, length?: number): Typed {
  if (!(v instanceof TYPED[name])) throw new SessionFormatError(path, `expected a ${name}, got ${kind(v)}`);
  if (length !== undefined && v.length !== length) throw new SessionFormatError(path, `expected ${length} entries, got ${v.length}`);
  return v as Typed;
}

/** Alert columns and their array types (protocol.ts AlertColumns). */
export const ALERT_COLUMN_TYPES: Record<Exclude<keyof AlertColumns, 'count'>, TypedName> = {
  tsUs: 'Float64Array',
  lastUs: 'Float64Array',
  detector: 'Uint8Array',
  variant: 'Uint8Array',
  severity: 'Uint8Array',
  score: 'Float64Array',
  value: 'Float64Array',
  threshold: 'Float64Array',
  windowS: 'Float64Array',
  evidence: 'Float64Array',
  peakRate: 'Float64Array',
  aux: 'Float64Array',
  size: 'Float64Array',
  mean: 'Float64Array',
  std: 'Float64Array',
  samples: 'Uint32Array',
  recordIndex: 'Uint32Array',
  recordOffset: 'Float64Array',
  sport: 'Uint16Array',
  dport: 'Uint16Array',
  channel: 'Uint32Array',
  episode: 'Uint32Array',
  suppressed: 'Uint8Array',
  rule: 'Int16Array',
  features: 'Float64Array',
};

/** Connection-record columns and their array types (protocol.ts ConnColumns). */
export const CONN_COLUMN_TYPES: Record<Exclude<keyof ConnColumns, 'count' | 'names'>, TypedName> = {
  firstUs: 'Float64Array',
  lastUs: 'Float64Array',
  orig: 'Uint32Array',
  resp: 'Uint32Array',
  origPort: 'Uint16Array',
  respPort: 'Uint16Array',
  proto: 'Uint8Array',
  state: 'Uint8Array',
  end: 'Uint8Array',
  flagsOrig: 'Uint8Array',
  flagsResp: 'Uint8Array',
  vlan: 'Uint32Array',
  pktsOrig: 'Float64Array',
  pktsResp: 'Float64Array',
  bytesOrig: 'Float64Array',
  bytesResp: 'Float64Array',
  payloadOrig: 'Float64Array',
  payloadResp: 'Float64Array',
  firstRecord: 'Uint32Array',
  dataSegments: 'Uint32Array',
  retransmissions: 'Uint32Array',
  rttUs: 'Float64Array',
};

/** Summary fields the page reads as numbers (NaN allowed: times of an empty capture). */
const SUMMARY_NUMBERS = ['fileBytes', 'streamBytes', 'recordsRead', 'packetsDecoded', 'bytesDecoded', 'flows', 'channels', 'tsFirstUs', 'tsLastUs', 'alerts', 'alertsDropped', 'conns', 'connsDropped'] as const;

/** Checks a decoded result (every part the page reads); throws SessionFormatError. */
export function checkStoredResult(v: unknown, path = 'result'): StoredResult {
  const r = obj(v, path);
  if (typeof r.ok !== 'boolean') throw new SessionFormatError(`${path}.ok`, `expected true or false, got ${kind(r.ok)}`);
  if (typeof r.cancelled !== 'boolean') throw new SessionFormatError(`${path}.cancelled`, `expected true or false, got ${kind(r.cancelled)}`);
  const summary = obj(r.summary, `${path}.summary`);
  str(summary.fileName, `${path}.summary.fileName`);
  str(summary.format, `${path}.summary.format`);
  for (const k of SUMMARY_NUMBERS) num(summary[k], `${path}.summary.${k}`, { finite: false });
  obj(summary.skipped, `${path}.summary.skipped`);
  const byDet = obj(summary.byDetector, `${path}.summary.byDetector`);
  for (const [k, d] of Object.entries(byDet)) {
    const dd = obj(d, `${path}.summary.byDetector.${k}`);
    for (const f of ['alerts', 'suppressed', 'evidencePackets']) num(dd[f], `${path}.summary.byDetector.${k}.${f}`, { min: 0 });
  }
  const alerts = obj(r.alerts, `${path}.alerts`);
  const count = num(alerts.count, `${path}.alerts.count`, { int: true, min: 0 });
  for (const [col, t] of Object.entries(ALERT_COLUMN_TYPES)) {
    const len = col === 'features' ? undefined : count;
    const a = typed(alerts[col], `${path}.alerts.${col}`, t, len);
    if (col === 'features' && a.length % count !== 0 && count > 0) throw new SessionFormatError(`${path}.alerts.features`, `${a.length} entries is not a multiple of ${count} alerts`);
  }
  const channels = arr(r.channels, `${path}.channels`);
  channels.forEach((c, i) => {
    const p = `${path}.channels[${i}]`;
    const ch = obj(c, p);
    for (const f of ['src', 'dst', 'proto']) str(ch[f], `${p}.${f}`);
    typed(ch.key, `${p}.key`, 'Uint8Array', 36);
    num(ch.alerts, `${p}.alerts`, { int: true, min: 0 });
  });
  const chan = alerts.channel as Uint32Array;
  for (let i = 0; i < count; i++) if (chan[i] >= channels.length) throw new SessionFormatError(`${path}.alerts.channel[${i}]`, `channel ${chan[i]} is not in ${path}.channels (${channels.length})`);
  arr(r.flowRules, `${path}.flowRules`).forEach((x, i) => str(x, `${path}.flowRules[${i}]`));
  arr(r.warnings, `${path}.warnings`).forEach((w, i) => {
    const o = obj(w, `${path}.warnings[${i}]`);
    str(o.code, `${path}.warnings[${i}].code`);
    str(o.message, `${path}.warnings[${i}].message`);
  });
  if (r.error !== undefined) {
    const e = obj(r.error, `${path}.error`);
    str(e.code, `${path}.error.code`);
    str(e.message, `${path}.error.message`);
  }
  const { problems } = mergeOptions(DEFAULT_OPTIONS, obj(r.options, `${path}.options`));
  if (problems.length) throw new SessionFormatError(`${path}.options.${problems[0].path}`, problems[0].message);
  if (r.conns !== undefined) {
    const c = obj(r.conns, `${path}.conns`);
    const n = num(c.count, `${path}.conns.count`, { int: true, min: 0 });
    const names = arr(c.names, `${path}.conns.names`);
    names.forEach((x, i) => str(x, `${path}.conns.names[${i}]`));
    for (const [col, t] of Object.entries(CONN_COLUMN_TYPES)) typed(c[col], `${path}.conns.${col}`, t, n);
    for (const col of ['orig', 'resp'] as const) {
      const a = c[col] as Uint32Array;
      for (let i = 0; i < n; i++) if (a[i] >= names.length) throw new SessionFormatError(`${path}.conns.${col}[${i}]`, `name ${a[i]} is not in ${path}.conns.names (${names.length})`);
    }
  }
  if (r.timeline !== undefined) {
    const t = obj(r.timeline, `${path}.timeline`);
    const bins = num(t.bins, `${path}.timeline.bins`, { int: true, min: 0 });
    num(t.binUs, `${path}.timeline.binUs`, { min: 0 });
    num(t.startUs, `${path}.timeline.startUs`);
    typed(t.packets, `${path}.timeline.packets`, 'Float64Array', bins);
    typed(t.bytes, `${path}.timeline.bytes`, 'Float64Array', bins);
    for (const k of ['classPackets', 'classBytes']) arr(t[k], `${path}.timeline.${k}`).forEach((a, i) => typed(a, `${path}.timeline.${k}[${i}]`, 'Float64Array', bins));
  }
  if (r.profile !== undefined) {
    const p = obj(r.profile, `${path}.profile`);
    arr(p.details, `${path}.profile.details`).forEach((d, i) => {
      const o = obj(d, `${path}.profile.details[${i}]`);
      num(o.alert, `${path}.profile.details[${i}].alert`, { int: true, min: 0 });
      arr(o.features, `${path}.profile.details[${i}].features`);
      obj(o.baseline, `${path}.profile.details[${i}].baseline`);
      obj(o.connection, `${path}.profile.details[${i}].connection`);
    });
  }
  if (r.rowFields !== undefined) {
    const rows = arr(r.rowFields, `${path}.rowFields`);
    if (rows.length !== count) throw new SessionFormatError(`${path}.rowFields`, `expected ${count} entries, got ${rows.length}`);
  }
  return r as unknown as StoredResult;
}

function checkSeries(kindName: unknown, v: unknown, path: string): StoredSeries {
  const s = obj(v, `${path}.series`);
  const n = typed(s.tsUs, `${path}.series.tsUs`, 'Float64Array').length;
  if (typeof s.truncated !== 'boolean') throw new SessionFormatError(`${path}.series.truncated`, `expected true or false, got ${kind(s.truncated)}`);
  if (kindName === 'channel') {
    for (const k of ['size', 'mean', 'std', 'z']) typed(s[k], `${path}.series.${k}`, 'Float64Array', n);
    typed(s.flagged, `${path}.series.flagged`, 'Uint8Array', n);
    return { kind: 'channel', series: s as never };
  }
  if (kindName === 'detector') {
    const det = str(s.detector, `${path}.series.detector`);
    if (!['PORTSCAN', 'SYNFLOOD', 'SPIKE', 'LATENCY', 'PROTOSHIFT'].includes(det)) throw new SessionFormatError(`${path}.series.detector`, `unknown detector ${JSON.stringify(det)}`);
    typed(s.value, `${path}.series.value`, 'Float64Array', n);
    for (const k of ['mean', 'std', 'medium', 'high']) if (s[k] !== undefined) typed(s[k], `${path}.series.${k}`, 'Float64Array', n);
    if (s.flagged !== undefined) typed(s.flagged, `${path}.series.flagged`, 'Uint8Array', n);
    num(s.threshold, `${path}.series.threshold`, { finite: false });
    num(s.windowS, `${path}.series.windowS`, { finite: false });
    if (det === 'PROTOSHIFT') {
      const sh = obj(s.shares, `${path}.series.shares`);
      const w = typed(sh.tsUs, `${path}.series.shares.tsUs`, 'Float64Array').length;
      const rows = arr(sh.rows, `${path}.series.shares.rows`);
      for (const k of ['shares', 'baseline', 'std'])
        arr(sh[k], `${path}.series.shares.${k}`).forEach((a, i) => typed(a, `${path}.series.shares.${k}[${i}]`, 'Float64Array', w));
      arr(sh.flagged, `${path}.series.shares.flagged`).forEach((a, i) => typed(a, `${path}.series.shares.flagged[${i}]`, 'Uint8Array', w));
      if ((sh.shares as unknown[]).length !== rows.length) throw new SessionFormatError(`${path}.series.shares.shares`, `expected ${rows.length} rows, got ${(sh.shares as unknown[]).length}`);
    }
    return { kind: 'detector', series: s as never };
  }
  throw new SessionFormatError(`${path}.kind`, `expected "channel" or "detector", got ${kind(kindName)}`);
}

/**
 * Reads a session file's text: the session (with the file's meta id; the store gives it a new one)
 * or SessionFormatError naming the JSON path of the first problem.
 */
export function sessionFromJson(text: string): LoadedSession {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SessionFormatError('', `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const d = obj(doc, '');
  if (d.format !== SESSION_FORMAT) throw new SessionFormatError('format', `expected "${SESSION_FORMAT}", got ${kind(d.format)}`);
  const version = num(d.version, 'version', { int: true });
  if (version !== SESSION_FILE_VERSION) throw new SessionFormatError('version', `this page reads version ${SESSION_FILE_VERSION}, the file is version ${version}`);
  const metaIn = obj(decodeValue(d.meta, 'meta'), 'meta');
  const meta = readMeta({ version: SESSION_RECORD_VERSION, ...metaIn }) as SessionMeta | null;
  if (!meta) throw new SessionFormatError('meta.id', `expected a string, got ${kind(metaIn.id)}`);
  if (meta.problem) throw new SessionFormatError('meta', meta.problem);
  str(meta.name, 'meta.name');
  const file = obj(meta.file, 'meta.file');
  str(file.name, 'meta.file.name');
  num(file.sizeBytes, 'meta.file.sizeBytes', { min: 0 });
  if (file.sha256 !== null && (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256))) throw new SessionFormatError('meta.file.sha256', 'expected null or 64 lowercase hex digits');
  const result = checkStoredResult(decodeValue(d.result, 'result'));
  const count = result.alerts.count;
  if (meta.alerts !== count) throw new SessionFormatError('meta.alerts', `${meta.alerts} does not match result.alerts.count (${count})`);
  let connsCap: { kept: number; total: number } | null = null;
  if (d.connsCap !== null && d.connsCap !== undefined) {
    const c = obj(d.connsCap, 'connsCap');
    connsCap = { kept: num(c.kept, 'connsCap.kept', { int: true, min: 0 }), total: num(c.total, 'connsCap.total', { int: true, min: 0 }) };
  }
  const series = new Map<number, StoredSeries>();
  arr(d.series ?? [], 'series').forEach((x, i) => {
    const p = `series[${i}]`;
    const o = obj(x, p);
    const alert = num(o.alert, `${p}.alert`, { int: true, min: 0 });
    if (alert >= count) throw new SessionFormatError(`${p}.alert`, `alert ${alert} is not in the result (${count} alerts)`);
    series.set(alert, checkSeries(o.kind, decodeValue(o.series, `${p}.series`), p));
  });
  const triage = new Map<number, TriageEntry>();
  arr(d.triage ?? [], 'triage').forEach((x, i) => {
    const p = `triage[${i}]`;
    const o = obj(x, p);
    const alert = num(o.alert, `${p}.alert`, { int: true, min: 0 });
    if (alert >= count) throw new SessionFormatError(`${p}.alert`, `alert ${alert} is not in the result (${count} alerts)`);
    if (!TRIAGE_STATES.includes(o.state as TriageState)) throw new SessionFormatError(`${p}.state`, `expected one of ${TRIAGE_STATES.join(', ')}, got ${kind(o.state)}`);
    triage.set(alert, { state: o.state as TriageState, note: str(o.note, `${p}.note`), updatedAtMs: num(o.updatedAtMs ?? 0, `${p}.updatedAtMs`) });
  });
  return { meta, data: { version: SESSION_RECORD_VERSION, id: meta.id, result, connsCap }, series, triage };
}

/** Suggested file name of an export: the session name made safe, ".flowlens-session.json". */
export function sessionFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 100) || 'session';
  return `${safe}.flowlens-session.json`;
}

/** Typed view of a result for the page (StoredResult is an AnalysisResult without marks). */
export function asResult(r: StoredResult): AnalysisResult {
  return r as AnalysisResult;
}
