// Named baseline files (src/ml/baseline-file.ts: per-source profiles, the Isolation Forest and the
// core's window baselines) saved in IndexedDB (through idb, database 'flowlens' from
// src/store/db.ts): store 'baselines' holds one metadata record per name (what list() shows
// without reading the files), store 'baseline-data' the file's JSON text under the same name; save
// and delete write both in one transaction, so a failure leaves neither half. save and importJson
// check the text first (checkBaselineFile): an old (version 1) or corrupt file is refused with its
// BaselineFormatError and nothing is written. load (checked again) and exportJson give the stored
// JSON text; the worker validates it against the analysis's settings when it is applied. Records written
// by an earlier page (record version 1: a model-only text) are listed with a `problem`, and load
// refuses them. The logic runs over a small backend interface: IndexedDB in the page
// (openBaselineStore), a Map in tests and Node (memoryBaselineBackend). IndexedDB may be missing or
// refuse: every method rejects with BaselineStoreError then.
import { checkBaselineFile } from '../ml/baseline-file';
import { openFlowlensDb, OPEN_TIMEOUT_MS, why } from './db';

/** Shape of BaselineMeta and of the stored text: 2 = a version 2 baseline file. */
export const BASELINE_RECORD_VERSION = 2;
/** Longest baseline name (characters). */
export const MAX_NAME_LENGTH = 120;

/** What list() shows about one saved baseline. */
export interface BaselineMeta {
  version: number;
  name: string;
  /** The file's createdAt (ISO 8601). */
  createdAt: string;
  /** Date.now() when saved. */
  savedAtMs: number;
  /** UTF-8 bytes of the JSON text. */
  sizeBytes: number;
  /** The capture it was learnt from, as the user named it (else the file's source.fileName). */
  sourceFile: string;
  /** Training connections and sources (the model's counts). */
  connections: number;
  sources: number;
  /** Set by list() on a record it cannot read (another version of the page): why. */
  problem?: string;
}

/** IndexedDB could not be used, or a name is invalid, or a record cannot be read; `message` says why. */
export class BaselineStoreError extends Error {
  override name = 'BaselineStoreError';
}

/** Where the store keeps its records. put and delete act on the metadata and the JSON together. */
export interface BaselineBackend {
  allMeta(): Promise<unknown[]>;
  json(name: string): Promise<string | undefined>;
  put(meta: BaselineMeta, json: string): Promise<void>;
  delete(name: string): Promise<void>;
  close(): void;
}

export interface BaselineStore {
  /** Every saved baseline, by name. */
  list(): Promise<BaselineMeta[]>;
  /** Checks `jsonText` (a baseline file, e.g. AnalysisResult.learnedBaseline; BaselineFormatError,
   *  nothing written) and saves it under `name` (replacing one of that name). */
  save(name: string, jsonText: string, sourceFile?: string): Promise<BaselineMeta>;
  /** The file's JSON text saved under `name` (undefined when there is none), checked again
   *  (BaselineFormatError when the stored text is not a valid file); throws BaselineStoreError for
   *  a record of another version of the page. */
  load(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
  /** The JSON text of `name` (the file format), undefined when there is none. */
  exportJson(name: string): Promise<string | undefined>;
  /** The same as save, for a file the user picked: validated first (throwing its
   *  BaselineFormatError, writing nothing). */
  importJson(name: string, text: string, sourceFile?: string): Promise<BaselineMeta>;
  close(): void;
}

/** The name trimmed; throws BaselineStoreError when empty, too long or with control characters. */
export function checkBaselineName(name: string): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (n === '') throw new BaselineStoreError('a baseline needs a name');
  if (n.length > MAX_NAME_LENGTH) throw new BaselineStoreError(`baseline name longer than ${MAX_NAME_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(n)) throw new BaselineStoreError('baseline name with control characters');
  return n;
}

/** A stored metadata record as list() returns it: as stored when it has this version's shape,
 *  else its name (if any) with `problem`. */
export function readMeta(v: unknown): BaselineMeta | null {
  const r = v && typeof v === 'object' ? (v as Partial<BaselineMeta>) : {};
  if (typeof r.name !== 'string') return null;
  const ok =
    r.version === BASELINE_RECORD_VERSION &&
    typeof r.createdAt === 'string' &&
    typeof r.sourceFile === 'string' &&
    [r.savedAtMs, r.sizeBytes, r.connections, r.sources].every((x) => typeof x === 'number' && Number.isFinite(x));
  if (ok) return r as BaselineMeta;
  return {
    version: typeof r.version === 'number' ? r.version : 0,
    name: r.name,
    createdAt: '',
    savedAtMs: 0,
    sizeBytes: 0,
    sourceFile: '',
    connections: 0,
    sources: 0,
    problem: `saved by another version of the page (record version ${String(r.version)}, this page writes ${BASELINE_RECORD_VERSION}); learn it again`,
  };
}

/** The store's logic over any backend. */
export function baselineStoreOver(backend: BaselineBackend, now: () => number = Date.now): BaselineStore {
  const put = async (name: string, json: string, sourceFile: string | undefined): Promise<BaselineMeta> => {
    const { file, summary } = checkBaselineFile(json); // throws BaselineFormatError before any write
    const meta: BaselineMeta = {
      version: BASELINE_RECORD_VERSION,
      name,
      createdAt: file.createdAt,
      savedAtMs: now(),
      sizeBytes: summary.sizeBytes ?? 0,
      sourceFile: sourceFile ?? file.source.fileName,
      connections: summary.connections,
      sources: summary.sources,
    };
    await backend.put(meta, json);
    return meta;
  };
  return {
    async list() {
      const all = (await backend.allMeta()).map(readMeta).filter((m): m is BaselineMeta => m !== null);
      return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    save: async (name, jsonText, sourceFile) => put(checkBaselineName(name), jsonText, sourceFile),
    async load(name) {
      const n = checkBaselineName(name);
      const meta = (await backend.allMeta()).map(readMeta).find((m) => m?.name === n);
      if (meta?.problem) throw new BaselineStoreError(`baseline "${n}": ${meta.problem}`);
      const text = await backend.json(n);
      if (text !== undefined) checkBaselineFile(text); // storage may have been changed under us
      return text;
    },
    delete: async (name) => backend.delete(checkBaselineName(name)),
    exportJson: async (name) => backend.json(checkBaselineName(name)),
    importJson: async (name, text, sourceFile) => put(checkBaselineName(name), text, sourceFile),
    close: () => backend.close(),
  };
}

/** A backend in a Map (tests, Node). */
export function memoryBaselineBackend(): BaselineBackend & { records: Map<string, { meta: unknown; json: string }> } {
  const records = new Map<string, { meta: unknown; json: string }>();
  return {
    records,
    allMeta: async () => [...records.values()].map((r) => structuredClone(r.meta)),
    json: async (name) => records.get(name)?.json,
    put: async (meta, json) => void records.set(meta.name, { meta: structuredClone(meta), json }),
    delete: async (name) => void records.delete(name),
    close: () => {},
  };
}

/** Opens the IndexedDB store. Rejects with BaselineStoreError when IndexedDB is missing, refuses,
 *  or does not answer within `timeoutMs`; its methods reject with BaselineStoreError on IndexedDB
 *  failures (and save/importJson with BaselineFormatError on an invalid baseline file). */
export async function openBaselineStore(timeoutMs = OPEN_TIMEOUT_MS): Promise<BaselineStore> {
  let db: Awaited<ReturnType<typeof openFlowlensDb>>;
  try {
    db = await openFlowlensDb(timeoutMs);
  } catch (e) {
    throw new BaselineStoreError(why(e));
  }
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw new BaselineStoreError(why(e));
    }
  };
  const backend: BaselineBackend = {
    allMeta: () => guard(() => db.getAll('baselines')),
    json: (name) => guard(() => db.get('baseline-data', name)),
    put: (meta, json) =>
      guard(async () => {
        const tx = db.transaction(['baselines', 'baseline-data'], 'readwrite');
        await Promise.all([tx.objectStore('baselines').put(meta), tx.objectStore('baseline-data').put(json, meta.name), tx.done]);
      }),
    delete: (name) =>
      guard(async () => {
        const tx = db.transaction(['baselines', 'baseline-data'], 'readwrite');
        await Promise.all([tx.objectStore('baselines').delete(name), tx.objectStore('baseline-data').delete(name), tx.done]);
      }),
    close: () => db.close(),
  };
  return baselineStoreOver(backend);
}
