// Analysis sessions saved in IndexedDB (through idb, database 'flowlens' of src/store/db.ts, schema
// version 3): every finished or cancelled analysis is kept so that the history can show it again
// without the file. Four object stores (db.ts): 'sessions' holds the small SessionMeta the history
// lists (name, file, counts), 'session-data' the big SessionData (the result without raw packets:
// summary, alert columns as typed arrays, channels, conns capped at MAX_STORED_CONNS, profile,
// timeline), 'session-series' the evidence series the page loaded for alerts (one record per alert,
// added later), 'session-triage' the triage state and note per alert (written often, so kept out of
// the big record). Records carry their own `version` (SESSION_RECORD_VERSION); migrateMeta /
// migrateData bring older ones to the current shape or report why they cannot be read.
// The logic runs over a small backend interface: IndexedDB in the page (openSessionStore), a Map
// in tests and Node (memorySessionBackend). IndexedDB may be missing, refuse, or be full: every
// method then rejects with SessionStoreError, whose message says why in plain words
// (quotaExceeded tells a full disk apart).
import type { AnalysisResult, ChannelSeries, ConnColumns, DetectorSeries } from '../shared/protocol';
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM } from '../shared/abi';
import { openFlowlensDb, OPEN_TIMEOUT_MS, why } from './db';

/** Shape of SessionMeta, SessionData, SessionSeriesRecord and SessionTriageRecord. */
export const SESSION_RECORD_VERSION = 1;
/** Connection records kept in a session: the largest flows by bytes (orig + resp), in their
 *  original order. ~120 bytes each, so at most ~12 MB. */
export const MAX_STORED_CONNS = 100_000;
/** Longest session name (characters). */
export const MAX_SESSION_NAME = 200;

/** Triage state of one alert. */
export type TriageState = 'new' | 'confirmed' | 'false-positive';
export const TRIAGE_STATES: readonly TriageState[] = ['new', 'confirmed', 'false-positive'];

/** The analysed file as it was when analysed. */
export interface SessionFile {
  name: string;
  sizeBytes: number;
  /** Hex SHA-256 of the file's bytes; null until the worker has computed it (or when it failed). */
  sha256: string | null;
  /** File.lastModified, ms since the epoch (0 when unknown). */
  lastModifiedMs: number;
}

/** What the history lists about one session (small). */
export interface SessionMeta {
  version: number;
  id: string;
  name: string;
  /** Date.now() when saved. */
  createdAtMs: number;
  file: SessionFile;
  /** Name of the baseline applied to the analysis (null: none). */
  baselineName: string | null;
  /** How the analysis ended. */
  outcome: 'done' | 'cancelled' | 'error';
  packets: number;
  bytes: number;
  flows: number;
  alerts: number;
  /** Alerts by severity: low, medium, high (other severities are not counted here). */
  bySeverity: { low: number; medium: number; high: number };
  /** Set by list() on a record it cannot read (another version of the page): why. */
  problem?: string;
}

/** The stored result: the AnalysisResult without packet marks nor a learnt baseline, `conns` capped. */
export type StoredResult = Omit<AnalysisResult, 'marks' | 'learnedBaseline' | 'partial'>;

/** The big part of a session. */
export interface SessionData {
  version: number;
  id: string;
  result: StoredResult;
  /** Set when result.conns was cut to MAX_STORED_CONNS: flows kept and flows the result had. */
  connsCap: { kept: number; total: number } | null;
}

/** An evidence series of one alert, as the chart drew it. */
export type StoredSeries = { kind: 'channel'; series: ChannelSeries } | { kind: 'detector'; series: DetectorSeries };

export interface SessionSeriesRecord {
  version: number;
  id: string;
  /** Alert index in the session's result. */
  alert: number;
  stored: StoredSeries;
}

/** Triage of one alert. */
export interface TriageEntry {
  state: TriageState;
  note: string;
  /** Date.now() of the last change. */
  updatedAtMs: number;
}

export interface SessionTriageRecord {
  version: number;
  id: string;
  /** By alert index (as a string key). */
  entries: Record<string, TriageEntry>;
}

/** A whole session as open() returns it. */
export interface LoadedSession {
  meta: SessionMeta;
  data: SessionData;
  series: Map<number, StoredSeries>;
  triage: Map<number, TriageEntry>;
}

/** IndexedDB could not be used, a record cannot be read, or a name is invalid. `quotaExceeded`:
 *  the browser's storage for the page is full. */
export class SessionStoreError extends Error {
  override name = 'SessionStoreError';
  constructor(
    message: string,
    readonly quotaExceeded = false,
  ) {
    super(message);
  }
}

/** A SessionStoreError for an IndexedDB failure `e`, in words a user can act on. */
export function storeError(e: unknown): SessionStoreError {
  if (e instanceof SessionStoreError) return e;
  const name = e && typeof e === 'object' && 'name' in e ? String((e as { name: unknown }).name) : '';
  if (name === 'QuotaExceededError') {
    return new SessionStoreError(`the browser's storage for this page is full (QuotaExceededError); delete old sessions in the history or free disk space`, true);
  }
  return new SessionStoreError(`the browser's storage (IndexedDB) is not usable here (${why(e)}); a private window or disabled site storage does this`);
}

/** The text the page shows when saving failed. */
export function notSavedMessage(e: unknown): string {
  const err = e instanceof SessionStoreError ? e : storeError(e);
  return `This session was not saved: ${err.message}. The analysis is shown all the same.`;
}

/** Where the store keeps its records. putSession writes meta and data together (one transaction). */
export interface SessionBackend {
  allMeta(): Promise<unknown[]>;
  meta(id: string): Promise<unknown>;
  data(id: string): Promise<unknown>;
  series(id: string): Promise<unknown[]>;
  triage(id: string): Promise<unknown>;
  putSession(meta: SessionMeta, data: SessionData): Promise<void>;
  putMeta(meta: SessionMeta): Promise<void>;
  putSeries(rec: SessionSeriesRecord): Promise<void>;
  putTriage(rec: SessionTriageRecord): Promise<void>;
  /** Removes every record of the session. */
  delete(id: string): Promise<void>;
  close(): void;
}

export interface SessionStore {
  /** Every session, newest first (records of another version listed with `problem`). */
  list(): Promise<SessionMeta[]>;
  /** Saves a new session of `result` (finished or cancelled; throws SessionStoreError for a partial
   *  snapshot or an analysis that failed before reading anything). */
  save(input: NewSession): Promise<SessionMeta>;
  /** Saves a session read from a file (session-file.ts), under a new id; returns its metadata. */
  saveLoaded(s: LoadedSession): Promise<SessionMeta>;
  /** The whole session, undefined when there is none; SessionStoreError for an unreadable record. */
  open(id: string): Promise<LoadedSession | undefined>;
  rename(id: string, name: string): Promise<SessionMeta>;
  setHash(id: string, sha256: string): Promise<void>;
  /** Adds (or replaces) the evidence series of alert `alert`. */
  addSeries(id: string, alert: number, stored: StoredSeries): Promise<void>;
  /** Replaces the triage entries of the session (alerts in state 'new' without a note are dropped). */
  setTriage(id: string, entries: Map<number, TriageEntry>): Promise<void>;
  delete(id: string): Promise<void>;
  close(): void;
}

/** What save() needs. */
export interface NewSession {
  result: AnalysisResult;
  file: { name: string; size: number; lastModified?: number };
  baselineName: string | null;
  sha256?: string | null;
  /** Defaults to "<file name> <date>". */
  name?: string;
}

/** The name trimmed; throws SessionStoreError when empty, too long or with control characters. */
export function checkSessionName(name: string): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (n === '') throw new SessionStoreError('a session needs a name');
  if (n.length > MAX_SESSION_NAME) throw new SessionStoreError(`session name longer than ${MAX_SESSION_NAME} characters`);
  if (/[\u0000-\u001f\u007f]/.test(n)) throw new SessionStoreError('session name with control characters');
  return n;
}

/** "capture.pcap 2024-06-01 12:00 UTC". */
export function defaultSessionName(fileName: string, atMs: number): string {
  const d = new Date(atMs).toISOString();
  return `${fileName} ${d.slice(0, 10)} ${d.slice(11, 16)} UTC`.slice(0, MAX_SESSION_NAME);
}

/** Whether `r` is worth a session: finished or cancelled, not a partial snapshot, not a failure
 *  before any record was read. */
export function isSessionWorthy(r: AnalysisResult): boolean {
  if (r.partial) return false;
  if (r.ok || r.cancelled) return true;
  return r.summary.recordsRead > 0;
}

const CONN_COLUMNS = [
  'firstUs', 'lastUs', 'orig', 'resp', 'origPort', 'respPort', 'proto', 'state', 'end', 'flagsOrig', 'flagsResp', 'vlan',
  'pktsOrig', 'pktsResp', 'bytesOrig', 'bytesResp', 'payloadOrig', 'payloadResp', 'firstRecord', 'dataSegments', 'retransmissions', 'rttUs',
] as const satisfies readonly (keyof ConnColumns)[];

/** The connection records with at most `max` flows: the largest by bytes (orig + resp; ties: the
 *  earlier), kept in their original order; `capped` when some were cut. */
export function capConns(c: ConnColumns, max = MAX_STORED_CONNS): { conns: ConnColumns; capped: boolean } {
  if (c.count <= max) return { conns: c, capped: false };
  const order = new Uint32Array(c.count);
  for (let i = 0; i < c.count; i++) order[i] = i;
  const bytes = (i: number) => c.bytesOrig[i] + c.bytesResp[i];
  const top = Array.from(order).sort((a, b) => bytes(b) - bytes(a) || a - b).slice(0, max).sort((a, b) => a - b);
  const out = { count: top.length, names: c.names } as ConnColumns;
  for (const k of CONN_COLUMNS) {
    const src = c[k];
    const Ctor = src.constructor as new (n: number) => typeof src;
    const dst = new Ctor(top.length);
    for (let j = 0; j < top.length; j++) dst[j] = src[top[j]];
    (out as unknown as Record<string, unknown>)[k] = dst;
  }
  return { conns: out, capped: true };
}

/** The result as stored: without marks, learnt baseline and partial flag; conns capped. */
export function storedResult(r: AnalysisResult, maxConns = MAX_STORED_CONNS): { result: StoredResult; connsCap: SessionData['connsCap'] } {
  const { marks: _m, learnedBaseline: _l, partial: _p, ...rest } = r;
  const result: StoredResult = { ...rest };
  let connsCap: SessionData['connsCap'] = null;
  if (r.conns) {
    const { conns, capped } = capConns(r.conns, maxConns);
    result.conns = conns;
    if (capped) connsCap = { kept: conns.count, total: r.conns.count };
  }
  return { result, connsCap };
}

/** Alerts of `r` by severity. */
export function severityCounts(r: Pick<AnalysisResult, 'alerts'>): SessionMeta['bySeverity'] {
  const out = { low: 0, medium: 0, high: 0 };
  const s = r.alerts.severity;
  for (let i = 0; i < r.alerts.count; i++) {
    if (s[i] === SEV_LOW) out.low++;
    else if (s[i] === SEV_MEDIUM) out.medium++;
    else if (s[i] === SEV_HIGH) out.high++;
  }
  return out;
}

/** The metadata of a result. */
export function metaOf(id: string, name: string, createdAtMs: number, file: SessionFile, baselineName: string | null, r: StoredResult): SessionMeta {
  return {
    version: SESSION_RECORD_VERSION,
    id,
    name,
    createdAtMs,
    file,
    baselineName,
    outcome: r.cancelled ? 'cancelled' : r.ok ? 'done' : 'error',
    packets: r.summary.packetsDecoded,
    bytes: r.summary.bytesDecoded,
    flows: r.summary.flows,
    alerts: r.alerts.count,
    bySeverity: severityCounts(r),
  };
}

/** A fresh session id (random, 128 bits, hex). */
export function newSessionId(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** One migration step: a record of version `from` to version `from + 1`. */
export type MigrationStep = (r: Record<string, unknown>) => Record<string, unknown>;
/** Steps by the version they start from. Version 1 is the first shape: none yet. */
export const META_MIGRATIONS: Record<number, MigrationStep> = {};
export const DATA_MIGRATIONS: Record<number, MigrationStep> = {};

/**
 * Brings a stored record to SESSION_RECORD_VERSION through `steps`; returns the record or the
 * reason it cannot be read (no version, a newer one, or a missing step). Never throws.
 */
export function migrateRecord(v: unknown, steps: Record<number, MigrationStep>, current = SESSION_RECORD_VERSION): { record: Record<string, unknown> } | { problem: string } {
  if (!v || typeof v !== 'object') return { problem: 'not a record' };
  let r = v as Record<string, unknown>;
  let version = r.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return { problem: `record without a valid version (${String(version)})` };
  if (version > current) return { problem: `saved by a newer version of the page (record version ${version}, this page reads up to ${current})` };
  while (version < current) {
    const step = steps[version];
    if (!step) return { problem: `no migration from record version ${version}` };
    r = step(r);
    version++;
    r.version = version;
  }
  return { record: r };
}

/** A stored metadata record as list() shows it: migrated when it can be, else its id/name with
 *  `problem`; null when it has no id. */
export function readMeta(v: unknown): SessionMeta | null {
  const raw = v && typeof v === 'object' ? (v as Partial<SessionMeta>) : {};
  if (typeof raw.id !== 'string') return null;
  const m = migrateRecord(v, META_MIGRATIONS);
  if ('record' in m) {
    const r = m.record as Partial<SessionMeta>;
    const ok =
      typeof r.name === 'string' &&
      typeof r.createdAtMs === 'number' &&
      !!r.file &&
      typeof r.file.name === 'string' &&
      typeof r.alerts === 'number' &&
      !!r.bySeverity;
    if (ok) return r as SessionMeta;
  }
  return {
    version: typeof raw.version === 'number' ? raw.version : 0,
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : raw.id,
    createdAtMs: typeof raw.createdAtMs === 'number' ? raw.createdAtMs : 0,
    file: { name: '', sizeBytes: 0, sha256: null, lastModifiedMs: 0 },
    baselineName: null,
    outcome: 'error',
    packets: 0,
    bytes: 0,
    flows: 0,
    alerts: 0,
    bySeverity: { low: 0, medium: 0, high: 0 },
    problem: 'problem' in m ? m.problem : 'a record of another shape',
  };
}

/** The data record migrated; throws SessionStoreError when it cannot be read. */
export function readData(v: unknown, id: string): SessionData {
  const m = migrateRecord(v, DATA_MIGRATIONS);
  if ('problem' in m) throw new SessionStoreError(`session ${id}: ${m.problem}`);
  const d = m.record as Partial<SessionData>;
  if (!d.result || typeof d.result !== 'object' || !d.result.alerts || !d.result.summary) throw new SessionStoreError(`session ${id}: its stored result is incomplete`);
  return d as SessionData;
}

/** The store's logic over any backend. */
export function sessionStoreOver(backend: SessionBackend, now: () => number = Date.now, newId: () => string = newSessionId): SessionStore {
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw storeError(e);
    }
  };
  const metaOrThrow = async (id: string): Promise<SessionMeta> => {
    const m = readMeta(await guard(() => backend.meta(id)));
    if (!m) throw new SessionStoreError(`no session ${id}`);
    if (m.problem) throw new SessionStoreError(`session "${m.name}": ${m.problem}`);
    return m;
  };
  return {
    async list() {
      const all = (await guard(() => backend.allMeta())).map(readMeta).filter((m): m is SessionMeta => m !== null);
      return all.sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? -1 : 1));
    },
    async save(input) {
      const r = input.result;
      if (r.partial) throw new SessionStoreError('a partial snapshot is not saved as a session');
      if (!isSessionWorthy(r)) throw new SessionStoreError('the analysis failed before reading anything');
      const at = now();
      const id = newId();
      const name = checkSessionName(input.name ?? defaultSessionName(input.file.name, at));
      const { result, connsCap } = storedResult(r);
      const file: SessionFile = { name: input.file.name, sizeBytes: input.file.size, sha256: input.sha256 ?? null, lastModifiedMs: input.file.lastModified ?? 0 };
      const meta = metaOf(id, name, at, file, input.baselineName, result);
      await guard(() => backend.putSession(meta, { version: SESSION_RECORD_VERSION, id, result, connsCap }));
      return meta;
    },
    async saveLoaded(s) {
      const id = newId();
      const meta: SessionMeta = { ...s.meta, id, name: checkSessionName(s.meta.name) };
      delete meta.problem;
      await guard(async () => {
        await backend.putSession(meta, { ...s.data, id });
        for (const [alert, stored] of s.series) await backend.putSeries({ version: SESSION_RECORD_VERSION, id, alert, stored });
        if (s.triage.size) await backend.putTriage(triageRecord(id, s.triage));
      });
      return meta;
    },
    async open(id) {
      const rawMeta = await guard(() => backend.meta(id));
      if (rawMeta === undefined) return undefined;
      const meta = await metaOrThrow(id);
      const data = readData(await guard(() => backend.data(id)), id);
      const series = new Map<number, StoredSeries>();
      for (const v of await guard(() => backend.series(id))) {
        const m = migrateRecord(v, {});
        if ('record' in m) {
          const rec = m.record as unknown as SessionSeriesRecord;
          if (Number.isInteger(rec.alert) && rec.stored && rec.stored.series) series.set(rec.alert, rec.stored);
        }
      }
      return { meta, data, series, triage: readTriage(await guard(() => backend.triage(id))) };
    },
    async rename(id, name) {
      const meta = { ...(await metaOrThrow(id)), name: checkSessionName(name) };
      await guard(() => backend.putMeta(meta));
      return meta;
    },
    async setHash(id, sha256) {
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new SessionStoreError(`not a SHA-256 hex digest: ${sha256.slice(0, 80)}`);
      const meta = await metaOrThrow(id);
      await guard(() => backend.putMeta({ ...meta, file: { ...meta.file, sha256 } }));
    },
    async addSeries(id, alert, stored) {
      const meta = await metaOrThrow(id);
      if (!Number.isInteger(alert) || alert < 0 || alert >= meta.alerts) throw new SessionStoreError(`alert ${alert} is not in session "${meta.name}" (${meta.alerts} alerts)`);
      await guard(() => backend.putSeries({ version: SESSION_RECORD_VERSION, id, alert, stored }));
    },
    async setTriage(id, entries) {
      await metaOrThrow(id);
      await guard(() => backend.putTriage(triageRecord(id, entries)));
    },
    delete: (id) => guard(() => backend.delete(id)),
    close: () => backend.close(),
  };
}

/** The triage record of `entries` (state 'new' with an empty note is left out). */
export function triageRecord(id: string, entries: Map<number, TriageEntry>): SessionTriageRecord {
  const out: Record<string, TriageEntry> = {};
  for (const [alert, e] of entries) if (e.state !== 'new' || e.note.trim() !== '') out[String(alert)] = { ...e };
  return { version: SESSION_RECORD_VERSION, id, entries: out };
}

/** The triage entries of a stored record (entries of an unknown shape are skipped). */
export function readTriage(v: unknown): Map<number, TriageEntry> {
  const out = new Map<number, TriageEntry>();
  const m = migrateRecord(v, {});
  if (!('record' in m)) return out;
  const entries = m.record.entries;
  if (!entries || typeof entries !== 'object') return out;
  for (const [k, e] of Object.entries(entries as Record<string, Partial<TriageEntry>>)) {
    const alert = Number(k);
    if (!Number.isInteger(alert) || alert < 0 || !e || !TRIAGE_STATES.includes(e.state as TriageState) || typeof e.note !== 'string') continue;
    out.set(alert, { state: e.state as TriageState, note: e.note, updatedAtMs: typeof e.updatedAtMs === 'number' ? e.updatedAtMs : 0 });
  }
  return out;
}

/** A backend in Maps (tests, Node). Records are structured-cloned in and out, as IndexedDB does. */
export function memorySessionBackend(): SessionBackend & {
  metas: Map<string, unknown>;
  datas: Map<string, unknown>;
  seriesRecs: Map<string, unknown>;
  triages: Map<string, unknown>;
} {
  const metas = new Map<string, unknown>();
  const datas = new Map<string, unknown>();
  const seriesRecs = new Map<string, unknown>();
  const triages = new Map<string, unknown>();
  const c = structuredClone;
  return {
    metas,
    datas,
    seriesRecs,
    triages,
    allMeta: async () => [...metas.values()].map((m) => c(m)),
    meta: async (id) => c(metas.get(id)),
    data: async (id) => c(datas.get(id)),
    series: async (id) => [...seriesRecs.entries()].filter(([k]) => k.startsWith(`${id}/`)).map(([, v]) => c(v)),
    triage: async (id) => c(triages.get(id)),
    putSession: async (meta, data) => {
      metas.set(meta.id, c(meta));
      datas.set(meta.id, c(data));
    },
    putMeta: async (meta) => void metas.set(meta.id, c(meta)),
    putSeries: async (rec) => void seriesRecs.set(`${rec.id}/${rec.alert}`, c(rec)),
    putTriage: async (rec) => void triages.set(rec.id, c(rec)),
    delete: async (id) => {
      metas.delete(id);
      datas.delete(id);
      triages.delete(id);
      for (const k of [...seriesRecs.keys()]) if (k.startsWith(`${id}/`)) seriesRecs.delete(k);
    },
    close: () => {},
  };
}

/** Opens the IndexedDB store. Rejects with SessionStoreError when IndexedDB is missing, refuses,
 *  or does not answer within `timeoutMs`; its methods reject with SessionStoreError (quotaExceeded
 *  set for a full disk). */
export async function openSessionStore(timeoutMs = OPEN_TIMEOUT_MS): Promise<SessionStore> {
  let db: Awaited<ReturnType<typeof openFlowlensDb>>;
  try {
    db = await openFlowlensDb(timeoutMs);
  } catch (e) {
    throw storeError(e);
  }
  const range = (id: string) => IDBKeyRange.bound([id, -Infinity], [id, Infinity]);
  const backend: SessionBackend = {
    allMeta: () => db.getAll('sessions'),
    meta: (id) => db.get('sessions', id),
    data: (id) => db.get('session-data', id),
    series: (id) => db.getAll('session-series', range(id)),
    triage: (id) => db.get('session-triage', id),
    async putSession(meta, data) {
      // Both or neither: a put that throws at once (a record that cannot be cloned, a full disk
      // in some browsers) aborts the transaction, so the metadata never stays without its data.
      const tx = db.transaction(['sessions', 'session-data'], 'readwrite');
      const done = tx.done;
      done.catch(() => undefined);
      const puts: Promise<unknown>[] = [];
      try {
        puts.push(tx.objectStore('sessions').put(meta));
        puts.push(tx.objectStore('session-data').put(data, meta.id));
      } catch (e) {
        for (const p of puts) p.catch(() => undefined); // rejected by the abort below
        try {
          tx.abort();
        } catch {
          // already finished
        }
        throw e;
      }
      await Promise.all([...puts, done]);
    },
    putMeta: async (meta) => void (await db.put('sessions', meta)),
    putSeries: async (rec) => void (await db.put('session-series', rec)),
    putTriage: async (rec) => void (await db.put('session-triage', rec)),
    async delete(id) {
      const tx = db.transaction(['sessions', 'session-data', 'session-series', 'session-triage'], 'readwrite');
      await Promise.all([
        tx.objectStore('sessions').delete(id),
        tx.objectStore('session-data').delete(id),
        tx.objectStore('session-series').delete(range(id)),
        tx.objectStore('session-triage').delete(id),
        tx.done,
      ]);
    },
    close: () => db.close(),
  };
  return sessionStoreOver(backend);
}
