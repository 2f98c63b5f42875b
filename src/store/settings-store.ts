// The page's saved settings in IndexedDB (through idb): database 'flowlens', object store
// 'settings', one record under key 'current' holding the analysis options and the raw text of the
// list editors (comments kept). Versioned: DB_VERSION is the IndexedDB schema version (upgrade
// creates the store), RECORD_VERSION the shape of the record; a record of another shape or with
// unknown keys is merged onto the defaults (mergeOptions) and the rest reported, never trusted.
// The database itself (name, schema version, upgrade) is src/store/db.ts, shared with the
// baseline store.
// No DOM; IndexedDB may be missing or refuse (private windows, storage disabled): openSettingsStore
// rejects with a SettingsStoreError and the page carries on with its defaults.
import type { IDBPDatabase } from 'idb';
import type { AnalysisOptions } from '../shared/protocol';
import { mergeOptions } from '../rules/options';
import { openFlowlensDb, OPEN_TIMEOUT_MS, why, type FlowlensDb } from './db';

export { DB_NAME, DB_VERSION, OPEN_TIMEOUT_MS } from './db';
export const STORE_NAME = 'settings';
/** Key of the one settings record. */
export const RECORD_KEY = 'current';
/** Shape of StoredSettings. */
export const RECORD_VERSION = 1;

/** What is saved: the options of the form (possibly invalid: they are the user's work) and the
 *  editors' text as typed. */
export interface StoredSettings {
  version: number;
  options: AnalysisOptions;
  /** Blacklist editor text (entries, comments, blank lines). */
  blacklistText: string;
  /** Normal-services editor text. */
  servicesText: string;
  /** Date.now() when saved. */
  savedAtMs: number;
}

/** IndexedDB could not be used; `message` says why, for the page's note. */
export class SettingsStoreError extends Error {
  override name = 'SettingsStoreError';
}

/** The open store. Every method rejects with SettingsStoreError on an IndexedDB failure. */
export interface SettingsStore {
  load(): Promise<StoredSettings | undefined>;
  save(s: StoredSettings): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

/** Opens (creating or upgrading) the database. Rejects with SettingsStoreError when IndexedDB is
 *  missing, refuses, or does not answer within `timeoutMs`. */
export async function openSettingsStore(timeoutMs = OPEN_TIMEOUT_MS): Promise<SettingsStore> {
  let db: IDBPDatabase<FlowlensDb>;
  try {
    db = await openFlowlensDb(timeoutMs);
  } catch (e) {
    throw new SettingsStoreError(why(e));
  }
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw new SettingsStoreError(why(e));
    }
  };
  return {
    load: () => guard(() => db.get(STORE_NAME, RECORD_KEY)),
    save: (s) => guard(async () => void (await db.put(STORE_NAME, s, RECORD_KEY))),
    clear: () => guard(() => db.delete(STORE_NAME, RECORD_KEY)),
    close: () => db.close(),
  };
}

/** What the page restores from a stored record. */
export interface RestoredSettings {
  options: AnalysisOptions;
  blacklistText: string;
  servicesText: string;
  /** Parts of the record that were ignored (unknown keys, wrong types, another version). */
  problems: string[];
}

/**
 * Turns whatever was stored (unknown: it may come from another version of the page) into
 * settings: the stored options merged onto `defaults` with mergeOptions, the editor texts if they
 * are strings (else rebuilt from the merged lists). Never throws.
 */
export function restoreSettings(stored: unknown, defaults: AnalysisOptions): RestoredSettings {
  const problems: string[] = [];
  const rec = stored && typeof stored === 'object' ? (stored as Partial<StoredSettings>) : {};
  if (stored !== undefined && rec.version !== RECORD_VERSION) problems.push(`saved settings of version ${String(rec.version)} (this page writes ${RECORD_VERSION})`);
  const { options, problems: merge } = mergeOptions(defaults, rec.options ?? {});
  for (const p of merge) problems.push(`${p.path}: ${p.message}`);
  const text = (v: unknown, entries: string[]): string => (typeof v === 'string' ? v : entries.join('\n'));
  return {
    options,
    blacklistText: text(rec.blacklistText, options.rules.blacklist.entries),
    servicesText: text(rec.servicesText, options.rules.unusual.normal),
    problems,
  };
}
