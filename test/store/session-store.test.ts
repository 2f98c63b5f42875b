// The session store (src/store/session-store.ts) over the in-memory backend (structured clones,
// as IndexedDB stores them), with results of real captures analysed by the worker's service: save
// (metadata counts, the result back with its typed arrays, no marks), newest first, rename, hash,
// series and triage added later, delete of every part, what is refused (partial snapshots,
// failures before any record), the connection-record cap, record-version migration, and the
// failures a page meets: a full disk (QuotaExceededError) and no IndexedDB (Node has none).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from '../../src/worker/service';
import { defaultOptions } from '../../src/rules/options';
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM } from '../../src/shared/abi';
import type { AnalysisResult } from '../../src/shared/protocol';
import {
  capConns,
  memorySessionBackend,
  migrateRecord,
  notSavedMessage,
  openSessionStore,
  readMeta,
  SESSION_RECORD_VERSION,
  sessionStoreOver,
  SessionStoreError,
  storedResult,
  type SessionBackend,
} from '../../src/store/session-store';
import { DATA, newEngine } from '../helpers/core';

const api = createWorkerApi(newEngine);
const SCAN = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const SSH = 'normal/zeek_ssh_ssh.pcap';
async function analyse(rel: string): Promise<{ r: AnalysisResult; file: { name: string; size: number; lastModified: number } }> {
  const bytes = readFileSync(DATA + rel);
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const r = await api.analyze(new Blob([bytes]), name, defaultOptions());
  return { r, file: { name, size: bytes.length, lastModified: 1_700_000_000_000 } };
}

function store(backend: SessionBackend = memorySessionBackend()) {
  let t = 1_000_000;
  let n = 0;
  return sessionStoreOver(backend, () => (t += 1000), () => `id${++n}`);
}

describe('session store', () => {
  it('saves a real analysis and opens it as it was (typed arrays, counts, no marks)', async () => {
    const { r, file } = await analyse(SCAN);
    expect(r.alerts.count).toBeGreaterThan(0);
    const backend = memorySessionBackend();
    const s = store(backend);
    const meta = await s.save({ result: { ...r, marks: new Uint8Array(64) }, file, baselineName: null });
    let sev = { low: 0, medium: 0, high: 0 };
    for (const v of r.alerts.severity) sev = { low: sev.low + +(v === SEV_LOW), medium: sev.medium + +(v === SEV_MEDIUM), high: sev.high + +(v === SEV_HIGH) };
    expect(meta).toMatchObject({
      version: SESSION_RECORD_VERSION,
      id: 'id1',
      name: 'evilfingers_TCP_SYN_SCAN.pcap 1970-01-01 00:16 UTC',
      file: { name: file.name, sizeBytes: file.size, sha256: null, lastModifiedMs: 1_700_000_000_000 },
      outcome: 'done',
      packets: r.summary.packetsDecoded,
      flows: r.summary.flows,
      alerts: r.alerts.count,
      bySeverity: sev,
    });
    expect(sev.low + sev.medium + sev.high).toBeGreaterThan(0);
    const back = await s.open('id1');
    expect(back).toBeDefined();
    const got = back!.data.result;
    expect(got.summary).toEqual(r.summary);
    expect(got.alerts.severity).toBeInstanceOf(Uint8Array);
    expect(got.alerts).toEqual(r.alerts);
    expect(got.channels).toEqual(r.channels);
    expect(got.options).toEqual(r.options);
    expect(got.conns!.count).toBe(r.conns!.count);
    expect(got.timeline ?? null).toEqual(r.timeline ?? null);
    expect('marks' in got).toBe(false);
    expect(back!.data.connsCap).toBeNull();
    // The metadata record is small: no arrays of the result.
    expect(JSON.stringify(backend.metas.get('id1')).length).toBeLessThan(1000);
  });

  it('lists newest first, renames, fills the hash, adds series and triage, deletes every part', async () => {
    const a = await analyse(SCAN);
    const b = await analyse(SSH);
    const backend = memorySessionBackend();
    const s = store(backend);
    await s.save({ result: a.r, file: a.file, baselineName: null });
    await s.save({ result: b.r, file: b.file, baselineName: 'office', name: 'ssh day' });
    expect((await s.list()).map((m) => m.name)).toEqual(['ssh day', expect.stringContaining('evilfingers')]);
    await s.rename('id1', '  scan from the lab  ');
    await expect(s.rename('id1', '   ')).rejects.toThrow(SessionStoreError);
    await s.setHash('id1', 'ab'.repeat(32));
    await expect(s.setHash('id1', 'xyz')).rejects.toThrow(/SHA-256/);
    const series = { tsUs: Float64Array.of(1, 2), value: Float64Array.of(3, NaN), threshold: 10, windowS: 60, truncated: false, detector: 'PORTSCAN' as const };
    await s.addSeries('id1', 0, { kind: 'detector', series });
    await expect(s.addSeries('id1', a.r.alerts.count, { kind: 'detector', series })).rejects.toThrow(/not in session/);
    await s.setTriage('id1', new Map([[0, { state: 'confirmed', note: 'the lab scanner', updatedAtMs: 5 }], [1, { state: 'new', note: '', updatedAtMs: 6 }]]));
    const o = (await s.open('id1'))!;
    expect(o.meta.name).toBe('scan from the lab');
    expect(o.meta.file.sha256).toBe('ab'.repeat(32));
    expect(o.series.get(0)).toEqual({ kind: 'detector', series });
    expect([...o.triage]).toEqual([[0, { state: 'confirmed', note: 'the lab scanner', updatedAtMs: 5 }]]); // untouched 'new' left out
    expect((await s.open('id2'))!.meta.baselineName).toBe('office');
    await s.delete('id1');
    expect(await s.open('id1')).toBeUndefined();
    expect([backend.metas.size, backend.datas.size, backend.seriesRecs.size, backend.triages.size]).toEqual([1, 1, 0, 0]);
  });

  it('refuses partial snapshots and failures before any record; keeps cancelled ones', async () => {
    const { r, file } = await analyse(SCAN);
    const s = store();
    await expect(s.save({ result: { ...r, partial: true }, file, baselineName: null })).rejects.toThrow(/partial/);
    const failed = { ...r, ok: false, summary: { ...r.summary, recordsRead: 0 } };
    await expect(s.save({ result: failed, file, baselineName: null })).rejects.toThrow(/before reading/);
    const m = await s.save({ result: { ...r, ok: true, cancelled: true }, file, baselineName: null });
    expect(m.outcome).toBe('cancelled');
  });

  it('caps connection records at the largest flows by bytes, in their order', async () => {
    const { r } = await analyse(SSH);
    const c = r.conns!;
    expect(c.count).toBeGreaterThan(20);
    const { conns, capped } = capConns(c, 10);
    expect(capped).toBe(true);
    expect(conns.count).toBe(10);
    const bytes = Array.from({ length: c.count }, (_, i) => c.bytesOrig[i] + c.bytesResp[i]);
    const tenth = [...bytes].sort((x, y) => y - x)[9];
    const keptBytes = Array.from({ length: 10 }, (_, j) => conns.bytesOrig[j] + conns.bytesResp[j]);
    for (const k of keptBytes) expect(k).toBeGreaterThanOrEqual(tenth);
    // original order kept: firstRecord rises as in the source (flows in end order)
    const idx = keptBytes.map((_, j) => Array.from(c.firstRecord).indexOf(conns.firstRecord[j]));
    expect(idx).toEqual([...idx].sort((x, y) => x - y));
    expect(conns.rttUs).toBeInstanceOf(Float64Array);
    expect(capConns(c, c.count).capped).toBe(false);
    expect(storedResult(r, 10).connsCap).toEqual({ kept: 10, total: c.count });
  });

  it('migrates records by version and reports those it cannot read', async () => {
    expect(migrateRecord({ version: 1, a: 1 }, {})).toEqual({ record: { version: 1, a: 1 } });
    expect(migrateRecord({ version: 3 }, {})).toEqual({ problem: expect.stringMatching(/newer version/) });
    expect(migrateRecord({ a: 1 }, {})).toEqual({ problem: expect.stringMatching(/without a valid version/) });
    // A chain of steps: 1 → 2 → 3 (the mechanism a future record version uses).
    const steps = { 1: (r: Record<string, unknown>) => ({ ...r, b: 2 }), 2: (r: Record<string, unknown>) => ({ ...r, c: 3 }) };
    expect(migrateRecord({ version: 1, a: 1 }, steps, 3)).toEqual({ record: { version: 3, a: 1, b: 2, c: 3 } });
    expect(migrateRecord({ version: 1 }, { 2: steps[2] }, 3)).toEqual({ problem: 'no migration from record version 1' });
    // A record of a newer page: listed with its problem, not opened.
    const backend = memorySessionBackend();
    backend.metas.set('x', { version: 9, id: 'x', name: 'future', createdAtMs: 5 });
    const s = store(backend);
    const [m] = await s.list();
    expect(m.problem).toMatch(/record version 9/);
    await expect(s.open('x')).rejects.toThrow(/future.*newer version/);
    expect(readMeta({ name: 'no id' })).toBeNull();
  });

  it('a full disk: QuotaExceededError becomes a clear message, nothing half-written', async () => {
    const { r, file } = await analyse(SCAN);
    const backend = memorySessionBackend();
    backend.putSession = async () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    const s = store(backend);
    const e = await s.save({ result: r, file, baselineName: null }).catch((x) => x);
    expect(e).toBeInstanceOf(SessionStoreError);
    expect(e.quotaExceeded).toBe(true);
    expect(notSavedMessage(e)).toMatch(/^This session was not saved: the browser's storage for this page is full \(QuotaExceededError\)/);
    expect(backend.metas.size).toBe(0);
  });

  it('no IndexedDB (Node, like a private window without storage): open rejects with SessionStoreError', async () => {
    const e = await openSessionStore(100).catch((x) => x);
    expect(e).toBeInstanceOf(SessionStoreError);
    expect(notSavedMessage(e)).toMatch(/This session was not saved: .*IndexedDB.*not available/);
  });
});
