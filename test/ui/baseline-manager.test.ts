// The baseline manager's logic without DOM (src/ui/baseline-manager.ts BaselineController and
// helpers): import validates before it saves (a bad file changes nothing), names are made unique,
// the applied baseline's JSON goes to the next analysis, delete un-applies, export gives the stored
// text, and an unavailable store is reported instead of thrown.
import { describe, expect, it } from 'vitest';
import { BaselineController, exportFileName, importName, learntText, type LearntSummary, type ManagerStore } from '../../src/ui/baseline-manager';
import { baselineText, profileText, warmupDroppedText } from '../../src/ui/summary';
import { tallyAlerts } from '../../src/ui/alert-filter';
import type { ProfileResult } from '../../src/shared/protocol';
import type { BaselineMeta } from '../../src/store/baseline-store';
import * as abi from '../../src/shared/abi';
import { resultOf } from './result';

/** A store in a Map that keeps the text as given (the contract of HOST's BaselineStore). */
function memoryStore(): ManagerStore & { texts: Map<string, string> } {
  const texts = new Map<string, string>();
  const metas = new Map<string, BaselineMeta>();
  const put = async (name: string, text: string, sourceFile = '') => {
    const m: BaselineMeta = { version: 1, name, createdAt: '2026-01-01T00:00:00.000Z', savedAtMs: 1, sizeBytes: text.length, sourceFile, connections: 3, sources: 1 };
    texts.set(name, text);
    metas.set(name, m);
    return m;
  };
  return {
    texts,
    list: async () => [...metas.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    save: put,
    importJson: put,
    load: async (n) => texts.get(n),
    delete: async (n) => {
      texts.delete(n);
      metas.delete(n);
    },
    exportJson: async (n) => texts.get(n),
  };
}

const SUMMARY: LearntSummary = { createdAt: '2026-01-01T00:00:00.000Z', sourceFile: 'clean.pcap', connections: 1234, sources: 12, profiled: 10, spikeDestinations: 8, latencyServers: 3, longconnServices: 5 };

/** A checkBaseline that accepts {"format":"flowlens-baseline","version":2} and names the path of
 *  what is wrong, like the worker's. */
async function check(text: string): Promise<LearntSummary> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('$: not JSON');
  }
  const o = v as { format?: unknown; version?: unknown };
  if (o.format !== 'flowlens-baseline') throw new Error('$.format: expected "flowlens-baseline"');
  if (o.version !== 2) throw new Error('$.version: learn again');
  return SUMMARY;
}

const GOOD = JSON.stringify({ format: 'flowlens-baseline', version: 2 });

describe('BaselineController', () => {
  it('imports a valid file under its name, and a second copy under a unique one', async () => {
    const store = memoryStore();
    const c = new BaselineController({ openStore: async () => store, checkBaseline: check });
    await c.refresh();
    const a = await c.importFile('office.flowlens-baseline.json', GOOD);
    expect(a).toEqual({ ok: true, message: expect.stringContaining('as office: 1,234 connections from 12 sources') });
    const b = await c.importFile('office.json', GOOD);
    expect(b.ok).toBe(true);
    expect(c.items.map((m) => m.name)).toEqual(['office', 'office (2)']);
    expect(store.texts.get('office (2)')).toBe(GOOD);
    expect(c.items[0].sourceFile).toBe('clean.pcap');
  });

  it('refuses a corrupt or old file with its JSON path and saves nothing', async () => {
    const store = memoryStore();
    const c = new BaselineController({ openStore: async () => store, checkBaseline: check });
    await c.importFile('office.json', GOOD);
    const before = [...store.texts.keys()];
    const bad = await c.importFile('broken.json', '{"format":"flowlens-baseline","version":1}');
    expect(bad.ok).toBe(false);
    expect(bad.message).toBe('broken.json is not a baseline this page can use: $.version: learn again');
    const notJson = await c.importFile('x.json', '{');
    expect(notJson.message).toMatch(/\$: not JSON$/);
    expect([...store.texts.keys()]).toEqual(before);
    expect(c.items.map((m) => m.name)).toEqual(['office']);
  });

  it('hands the applied baseline\'s text to the next analysis; deleting it un-applies it', async () => {
    const store = memoryStore();
    const c = new BaselineController({ openStore: async () => store, checkBaseline: check });
    expect(await c.appliedJson()).toBeNull();
    const saved = await c.saveLearnt(' office ', GOOD, 'clean.pcap');
    expect(saved).toEqual({ ok: true, message: expect.stringMatching(/^Saved office, learnt from clean\.pcap: 1,234 connections/) });
    expect((await c.saveLearnt('office', GOOD, 'clean.pcap')).message).toMatch(/^Replaced office/);
    expect(() => c.apply('nope')).toThrow(/no baseline named nope/);
    c.apply('office');
    expect(await c.appliedJson()).toEqual({ name: 'office', text: GOOD });
    const ex = await c.exportFile('office');
    expect(ex).toEqual({ fileName: 'office.flowlens-baseline.json', text: GOOD });
    expect((await c.remove('office')).ok).toBe(true);
    expect(c.applied).toBeNull();
    expect(await c.appliedJson()).toBeNull();
    await expect(c.exportFile('office')).rejects.toThrow(/no longer saved/);
  });

  it('stops the analysis when the applied baseline vanished from storage (another tab deleted it)', async () => {
    const store = memoryStore();
    const c = new BaselineController({ openStore: async () => store, checkBaseline: check });
    await c.saveLearnt('office', GOOD, 'clean.pcap');
    c.apply('office');
    await store.delete('office');
    await expect(c.appliedJson()).rejects.toThrow('the baseline office is no longer saved in this browser');
    await c.refresh();
    expect(c.applied).toBeNull();
  });

  it('refuses a learnt baseline without a valid name, saving nothing', async () => {
    const store = memoryStore();
    const c = new BaselineController({ openStore: async () => store, checkBaseline: check });
    const o = await c.saveLearnt('   ', GOOD, 'clean.pcap');
    expect(o).toEqual({ ok: false, message: 'The baseline could not be saved: a baseline needs a name' });
    expect(store.texts.size).toBe(0);
  });

  it('reports an unavailable store on every action without throwing', async () => {
    const c = new BaselineController({ openStore: async () => Promise.reject(new Error('IndexedDB is not available')), checkBaseline: check });
    await c.refresh();
    expect(c.unavailable).toBe('IndexedDB is not available');
    expect(c.items).toEqual([]);
    expect((await c.importFile('a.json', GOOD)).message).toBe('Baselines cannot be saved in this browser: IndexedDB is not available');
    expect((await c.saveLearnt('a', GOOD, 'f')).ok).toBe(false);
    expect((await c.remove('a')).ok).toBe(false);
  });
});

describe('names and texts', () => {
  it('makes export file names safe and import names unique', () => {
    expect(exportFileName('office')).toBe('office.flowlens-baseline.json');
    expect(exportFileName('../etc/pass wd')).toBe('etc_pass_wd.flowlens-baseline.json');
    expect(exportFileName('***')).toBe('baseline.flowlens-baseline.json');
    expect(importName('lab.JSON', [])).toBe('lab');
    expect(importName('lab.json', ['lab', 'lab (2)'])).toBe('lab (3)');
    expect(importName('.json', [])).toBe('imported baseline');
    expect(importName('a\u0007b.json', [])).toBe('a b');
    expect(importName('x'.repeat(300) + '.json', []).length).toBeLessThanOrEqual(120);
  });

  it('describes a baseline and the applied one', () => {
    expect(learntText(SUMMARY)).toBe(
      '1,234 connections from 12 sources (10 profiled), window baselines of 8 destinations, 3 latency servers, 5 long-connection services',
    );
    expect(baselineText({ name: 'office', summary: SUMMARY })).toBe(`office, learnt from clean.pcap (created 2026-01-01T00:00:00.000Z): ${learntText(SUMMARY)}`);
    expect(baselineText({ name: 'office' })).toBe('office (the worker did not describe it)');
  });
});

describe('tallyAlerts', () => {
  it('splits each detector\'s kept alerts by severity, PROFILE\'s CRITICAL (HIGH, variant 4) apart', () => {
    const r = resultOf(
      [
        { detector: abi.DET_SPIKE, severity: abi.SEV_MEDIUM, score: 1, tsUs: 1, channel: 0 },
        { detector: abi.DET_SPIKE, severity: abi.SEV_HIGH, score: 1, tsUs: 2, channel: 0, suppressed: true },
        { detector: abi.DET_PROFILE, variant: 4, severity: abi.SEV_HIGH, score: 0.97, tsUs: 3, channel: 0 },
        { detector: abi.DET_PROFILE, variant: 3, severity: abi.SEV_HIGH, score: 0.92, tsUs: 3, channel: 0 },
        { detector: abi.DET_PROFILE, variant: 1, severity: abi.SEV_LOW, score: 0.75, tsUs: 4, channel: 0 },
      ],
      [['10.0.0.1', '10.0.0.2', 'TCP']],
    );
    const t = tallyAlerts(r);
    expect(t.map((x) => [x.detector, x.alerts, x.suppressed, x.low, x.medium, x.high, x.critical])).toEqual([
      [abi.DET_SPIKE, 2, 1, 0, 1, 1, 0],
      [abi.DET_PROFILE, 3, 0, 1, 0, 1, 1],
    ]);
  });
});

describe('profile lines of the summary', () => {
  const base: ProfileResult = { mode: 'baseline', learnt: 0, scored: 1005, connsDropped: 0, byLevel: { LOW: 1, MEDIUM: 993, HIGH: 0, CRITICAL: 0 }, details: [] };
  it('says what was scored against an applied baseline, by level', () => {
    expect(profileText(base)).toBe('scored 1,005 connections against the applied baseline: 994 alerts (1 LOW, 993 MEDIUM, 0 HIGH, 0 CRITICAL)');
    expect(profileText({ ...base, connsDropped: 7 })).toMatch(/; 7 connection records over the limit neither learnt nor scored$/);
    expect(profileText({ ...base, skipped: 'too few connections to learn (3 < 10)' })).toBe('not scored: too few connections to learn (3 < 10)');
  });
  it('says how a warm-up was given and which alerts it dropped', () => {
    const w: ProfileResult = { ...base, mode: 'warmup', learnt: 120, scored: 900, warmup: { minutes: 10 }, warmupEndUs: Date.UTC(2024, 0, 1, 0, 10) * 1000, droppedInWarmup: { SPIKE: 3, LATENCY: 0, PROTOSHIFT: 1 } };
    expect(profileText(w)).toBe('learnt from 120 connections of the first 10 min (until 2024-01-01T00:10:00.000000Z), scored 900: 994 alerts (1 LOW, 993 MEDIUM, 0 HIGH, 0 CRITICAL)');
    expect(profileText({ ...w, warmup: { percent: 20 } })).toMatch(/^learnt from 120 connections of the first 20 %/);
    expect(warmupDroppedText(w)).toBe('SPIKE 3, PROTOSHIFT 1');
    expect(warmupDroppedText({ ...w, droppedInWarmup: undefined })).toBe('');
  });
});
