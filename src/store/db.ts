// The page's IndexedDB database 'flowlens' (through idb), shared by the stores: its schema, its
// version and the one upgrade function, so every store opens the same version with the same
// upgrade whichever opens first. Schema versions: 1 = 'settings' (settings-store.ts); 2 = also
// 'baselines' (metadata of saved learned baselines, key = name) and 'baseline-data' (their JSON
// text, same key) for baseline-store.ts; 3 = also the analysis sessions of session-store.ts:
// 'sessions' (small metadata for the history list, key = id), 'session-data' (the stored result,
// key = id), 'session-series' (evidence series per alert, key = [id, alert index]) and
// 'session-triage' (triage state and note per alert, key = id). Each upgrade step only adds
// stores, so the settings and baselines of an older version are kept. No DOM beyond indexedDB.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { BaselineMeta } from './baseline-store';
import type { StoredSettings } from './settings-store';
import type { SessionData, SessionMeta, SessionSeriesRecord, SessionTriageRecord } from './session-store';

export const DB_NAME = 'flowlens';
/** IndexedDB schema version (see the file header). */
export const DB_VERSION = 3;
/** How long opening the database may take before the page gives up (a blocked upgrade waits
 *  for other tabs forever). */
export const OPEN_TIMEOUT_MS = 4000;

export interface FlowlensDb extends DBSchema {
  settings: { key: string; value: StoredSettings };
  baselines: { key: string; value: BaselineMeta };
  'baseline-data': { key: string; value: string };
  sessions: { key: string; value: SessionMeta };
  'session-data': { key: string; value: SessionData };
  'session-series': { key: [string, number]; value: SessionSeriesRecord };
  'session-triage': { key: string; value: SessionTriageRecord };
}

/** Text of an IndexedDB failure for the page's notes. */
export function why(e: unknown): string {
  if (e instanceof DOMException) return `${e.name}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** Schema step 2 → 3: the session stores (nothing existing is touched). */
export function upgradeToSessions(d: IDBPDatabase<FlowlensDb>): void {
  d.createObjectStore('sessions', { keyPath: 'id' });
  d.createObjectStore('session-data');
  d.createObjectStore('session-series', { keyPath: ['id', 'alert'] });
  d.createObjectStore('session-triage', { keyPath: 'id' });
}

/**
 * Opens (creating or upgrading) the database. Rejects with a plain Error when IndexedDB is
 * missing, refuses, or does not answer within `timeoutMs`; each store wraps it in its own error
 * type. The connection closes itself when another tab upgrades the schema.
 */
export async function openFlowlensDb(timeoutMs = OPEN_TIMEOUT_MS): Promise<IDBPDatabase<FlowlensDb>> {
  if (typeof indexedDB === 'undefined' || !indexedDB) throw new Error('IndexedDB is not available');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`IndexedDB did not open within ${timeoutMs} ms`)), timeoutMs);
  });
  const open = openDB<FlowlensDb>(DB_NAME, DB_VERSION, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) d.createObjectStore('settings');
      if (oldVersion < 2) {
        d.createObjectStore('baselines', { keyPath: 'name' });
        d.createObjectStore('baseline-data');
      }
      if (oldVersion < 3) upgradeToSessions(d);
    },
  });
  let db: IDBPDatabase<FlowlensDb>;
  try {
    db = await Promise.race([open, timeout]);
  } finally {
    clearTimeout(timer);
  }
  // Another tab upgrading the schema: let it, and stop using the database here.
  db.addEventListener('versionchange', () => db.close());
  return db;
}
