// The baseline store's logic (src/store/baseline-store.ts) over the in-memory backend: save, list,
// load, delete, export, import of baseline files (validated: an old or corrupt file writes
// nothing), names, and records left by another version of the page. The IndexedDB backend is the
// same calls through idb (no IndexedDB in Node; fake-indexeddb is not a dependency), as for the
// settings store.
import { describe, expect, it } from 'vitest';
import { learn } from '../../src/ml/baseline-model';
import { baselineFileToJson, checkBaselineFile } from '../../src/ml/baseline-file';
import { BaselineFormatError } from '../../src/ml/json-check';
import { coreBaselinesToJson } from '../../src/worker/core-baselines';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';
import {
  BASELINE_RECORD_VERSION,
  baselineStoreOver,
  BaselineStoreError,
  checkBaselineName,
  memoryBaselineBackend,
  MAX_NAME_LENGTH,
} from '../../src/store/baseline-store';
import { officeClient } from '../ml/gen';

const CREATED = '2024-06-01T12:00:00.000Z';
/** A version 2 baseline file of a model learnt from generated office traffic. */
function fileText(seed: number, source: string, days: number): string {
  const model = learn(officeClient(seed, source, days), {}, CREATED);
  return baselineFileToJson({
    createdAt: CREATED,
    source: { fileName: `${source}.pcap`, packets: 1000, firstUs: model.counts.firstUs, lastUs: model.counts.lastUs },
    model,
    core: coreBaselinesToJson(new Uint8Array(0), DEFAULT_OPTIONS),
    coreRecords: new Uint8Array(0),
  });
}
const office = fileText(1, '10.0.0.1', 3);
const branch = fileText(2, '10.0.0.2', 2);
const officeConns = checkBaselineFile(office).file.model.counts.connections;
const branchConns = checkBaselineFile(branch).file.model.counts.connections;

function store() {
  const backend = memoryBaselineBackend();
  let t = 1000;
  return { backend, s: baselineStoreOver(backend, () => t++) };
}

describe('baseline store', () => {
  it('saves, lists, loads, exports and deletes', async () => {
    const { s } = store();
    const meta = await s.save('  office  ', office, 'office capture');
    expect(meta).toEqual({
      version: BASELINE_RECORD_VERSION,
      name: 'office',
      createdAt: CREATED,
      savedAtMs: 1000,
      sizeBytes: new TextEncoder().encode(office).length,
      sourceFile: 'office capture',
      connections: officeConns,
      sources: 1,
    });
    const b = await s.save('branch', branch);
    expect(b.sourceFile).toBe('10.0.0.2.pcap'); // the file's own source when none is given
    expect((await s.list()).map((m) => m.name)).toEqual(['branch', 'office']);
    expect(await s.load('office')).toBe(office);
    expect(await s.exportJson('office')).toBe(office);
    expect(await s.load('missing')).toBeUndefined();
    await s.delete('office');
    expect((await s.list()).map((m) => m.name)).toEqual(['branch']);
    expect(await s.exportJson('office')).toBeUndefined();
  });

  it('replaces a baseline saved under the same name', async () => {
    const { s } = store();
    await s.save('x', office);
    await s.save('x', branch);
    const list = await s.list();
    expect(list.length).toBe(1);
    expect(list[0].connections).toBe(branchConns);
    expect(await s.exportJson('x')).toBe(branch);
  });

  it('imports a valid file and refuses an old or corrupt one without writing anything', async () => {
    const { s, backend } = store();
    await s.importJson('a', office, 'a.json');
    expect(await s.exportJson('a')).toBe(office);
    const before = new Map(backend.records);
    const bad = JSON.parse(branch);
    bad.version = 1;
    await expect(s.importJson('a', JSON.stringify(bad))).rejects.toThrow(/version: version 1 .*learn the baseline again/);
    await expect(s.importJson('b', branch.slice(0, 5000))).rejects.toBeInstanceOf(BaselineFormatError);
    bad.version = 2;
    bad.model.forest.left[0] = 5_000_000;
    await expect(s.importJson('a', JSON.stringify(bad))).rejects.toThrow(/model\.forest\.left\[0\]/);
    await expect(s.save('c', '{}')).rejects.toThrow(/format: not a Flowlens baseline/);
    expect(backend.records).toEqual(before);
    expect(await s.exportJson('a')).toBe(office);
  });

  it('refuses a corrupt stored text on load', async () => {
    const { s, backend } = store();
    await s.save('a', office);
    backend.records.get('a')!.json = '{"format":"flowlens-baseline","version":2}';
    await expect(s.load('a')).rejects.toThrow(/missing field/);
  });

  it('lists a record of another version with its problem, and load refuses it', async () => {
    const { s, backend } = store();
    await s.save('good', office);
    backend.records.set('old', { meta: { name: 'old', version: 1 }, json: '{"format":"flowlens-baseline","version":1}' });
    backend.records.set('junk', { meta: 42, json: '' });
    const list = await s.list();
    expect(list.map((m) => m.name)).toEqual(['good', 'old']);
    expect(list[0].problem).toBeUndefined();
    expect(list[1].problem).toMatch(/another version.*learn it again/);
    await expect(s.load('old')).rejects.toBeInstanceOf(BaselineStoreError);
    await s.delete('old');
    expect((await s.list()).map((m) => m.name)).toEqual(['good']);
  });

  it('checks names', async () => {
    expect(checkBaselineName(' a b ')).toBe('a b');
    for (const bad of ['', '   ', 'x'.repeat(MAX_NAME_LENGTH + 1), 'a\nb']) expect(() => checkBaselineName(bad)).toThrow(BaselineStoreError);
    const { s } = store();
    await expect(s.save('', office)).rejects.toBeInstanceOf(BaselineStoreError);
    await expect(s.delete('\u0007')).rejects.toBeInstanceOf(BaselineStoreError);
  });
});
