// The baseline store's logic (src/store/baseline-store.ts) over the in-memory backend: save, list,
// load, delete, export, import (validated: a bad file writes nothing), names, and records left by
// another version of the page. The IndexedDB backend is the same calls through idb (no IndexedDB in
// Node; fake-indexeddb is not a dependency), as for the settings store.
import { describe, expect, it } from 'vitest';
import { learn, scoreConnections, toJson } from '../../src/ml/baseline-model';
import { BaselineFormatError } from '../../src/ml/json-check';
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
const model = learn(officeClient(1, '10.0.0.1', 3), {}, CREATED);
const other = learn(officeClient(2, '10.0.0.2', 2), {}, CREATED);

function store() {
  const backend = memoryBaselineBackend();
  let t = 1000;
  return { backend, s: baselineStoreOver(backend, () => t++) };
}

describe('baseline store', () => {
  it('saves, lists, loads, exports and deletes', async () => {
    const { s } = store();
    const meta = await s.save('  office  ', model, 'office.pcap');
    expect(meta).toEqual({
      version: BASELINE_RECORD_VERSION,
      name: 'office',
      createdAt: CREATED,
      savedAtMs: 1000,
      sizeBytes: new TextEncoder().encode(toJson(model)).length,
      sourceFile: 'office.pcap',
      connections: model.counts.connections,
      sources: 1,
    });
    await s.save('branch', other);
    expect((await s.list()).map((m) => m.name)).toEqual(['branch', 'office']);
    const back = await s.load('office');
    const probe = officeClient(3, '10.0.0.1', 1).slice(0, 100);
    expect(scoreConnections(back!, probe)).toEqual(scoreConnections(model, probe));
    expect(await s.exportJson('office')).toBe(toJson(model));
    expect(await s.load('missing')).toBeUndefined();
    await s.delete('office');
    expect((await s.list()).map((m) => m.name)).toEqual(['branch']);
    expect(await s.exportJson('office')).toBeUndefined();
  });

  it('replaces a baseline saved under the same name', async () => {
    const { s } = store();
    await s.save('x', model);
    await s.save('x', other);
    const list = await s.list();
    expect(list.length).toBe(1);
    expect(list[0].connections).toBe(other.counts.connections);
    expect(await s.exportJson('x')).toBe(toJson(other));
  });

  it('imports a valid file and refuses a bad one without writing anything', async () => {
    const { s, backend } = store();
    await s.importJson('a', toJson(model), 'a.json');
    expect(await s.exportJson('a')).toBe(toJson(model));
    const before = new Map(backend.records);
    const bad = JSON.parse(toJson(other));
    bad.version = 0;
    await expect(s.importJson('a', JSON.stringify(bad))).rejects.toThrow(/version 0 is older/);
    await expect(s.importJson('b', toJson(other).slice(0, 5000))).rejects.toBeInstanceOf(BaselineFormatError);
    bad.version = 1;
    bad.forest.left[0] = 5_000_000;
    await expect(s.importJson('a', JSON.stringify(bad))).rejects.toThrow(/forest.left\[0\]/);
    expect(backend.records).toEqual(before);
    expect(await s.exportJson('a')).toBe(toJson(model));
  });

  it('refuses a corrupt stored text on load', async () => {
    const { s, backend } = store();
    await s.save('a', model);
    backend.records.get('a')!.json = '{"format":"flowlens-baseline","version":1}';
    await expect(s.load('a')).rejects.toThrow(/missing field/);
  });

  it('lists a record of another version with its problem', async () => {
    const { s, backend } = store();
    await s.save('good', model);
    backend.records.set('old', { meta: { name: 'old', version: 0 }, json: '' });
    backend.records.set('junk', { meta: 42, json: '' });
    const list = await s.list();
    expect(list.map((m) => m.name)).toEqual(['good', 'old']);
    expect(list[0].problem).toBeUndefined();
    expect(list[1].problem).toMatch(/another version/);
    await s.delete('old');
    expect((await s.list()).map((m) => m.name)).toEqual(['good']);
  });

  it('checks names', async () => {
    expect(checkBaselineName(' a b ')).toBe('a b');
    for (const bad of ['', '   ', 'x'.repeat(MAX_NAME_LENGTH + 1), 'a\nb']) expect(() => checkBaselineName(bad)).toThrow(BaselineStoreError);
    const { s } = store();
    await expect(s.save('', model)).rejects.toBeInstanceOf(BaselineStoreError);
    await expect(s.delete('\u0007')).rejects.toBeInstanceOf(BaselineStoreError);
  });
});
