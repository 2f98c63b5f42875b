// The session export file (src/store/session-file.ts): a real analysis with a series and triage
// goes out and comes back equal (typed arrays, NaN and infinities), and each kind of damage is
// refused with the JSON path of the problem.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from '../../src/worker/service';
import { defaultOptions } from '../../src/rules/options';
import { memorySessionBackend, sessionStoreOver, type LoadedSession } from '../../src/store/session-store';
import { decodeValue, encodeValue, SESSION_FORMAT, sessionFileName, sessionFromJson, SessionFormatError, sessionToJson } from '../../src/store/session-file';
import { DATA, newEngine } from '../helpers/core';

const api = createWorkerApi(newEngine);

async function loaded(): Promise<LoadedSession> {
  const bytes = readFileSync(DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
  const r = await api.analyze(new Blob([bytes]), 'scan.pcap', defaultOptions());
  const s = sessionStoreOver(memorySessionBackend());
  const meta = await s.save({ result: r, file: { name: 'scan.pcap', size: bytes.length }, baselineName: null });
  await s.setHash(meta.id, '0f'.repeat(32));
  const i = r.alerts.detector.findIndex((d) => d === 3); // a PORTSCAN alert
  const series = await api.detectorSeries(i, 5000);
  await s.addSeries(meta.id, i, { kind: 'detector', series });
  await s.setTriage(meta.id, new Map([[i, { state: 'false-positive', note: 'authorised <b>scan</b> "ticket 42"', updatedAtMs: 7 }]]));
  return (await s.open(meta.id))!;
}

function mutate(text: string, f: (d: Record<string, any>) => void): string {
  const d = JSON.parse(text);
  f(d);
  return JSON.stringify(d);
}

describe('session file', () => {
  it('round-trips a real session: result, series, triage, hash', async () => {
    const s = await loaded();
    expect(s.series.size).toBe(1);
    const text = sessionToJson(s, new Date('2024-01-02T03:04:05Z'));
    const doc = JSON.parse(text);
    expect(doc.format).toBe(SESSION_FORMAT);
    expect(doc.version).toBe(1);
    expect(doc.exportedAt).toBe('2024-01-02T03:04:05.000Z');
    expect(doc.result.alerts.severity).toEqual({ $typed: 'Uint8Array', base64: expect.any(String) });
    const back = sessionFromJson(text);
    expect(back.meta).toEqual(s.meta);
    expect(back.data.result.alerts).toEqual(s.data.result.alerts);
    expect(back.data.result.summary).toEqual(s.data.result.summary);
    expect(back.data.result.conns).toEqual(s.data.result.conns);
    expect(back.data.result.options).toEqual(s.data.result.options);
    expect(back.series).toEqual(s.series);
    expect(back.triage).toEqual(s.triage);
    // Imported into another store under a new id, then opened the same.
    const other = sessionStoreOver(memorySessionBackend(), Date.now, () => 'fresh');
    const m = await other.saveLoaded(back);
    expect(m.id).toBe('fresh');
    const again = (await other.open('fresh'))!;
    expect(again.data.result.alerts).toEqual(s.data.result.alerts);
    expect(again.triage).toEqual(s.triage);
  });

  it('keeps NaN and infinities and every typed array kind', () => {
    const v = { a: NaN, b: [Infinity, -Infinity, 1.5], c: Int16Array.of(-1, 2), d: Float64Array.of(NaN, 3), e: new Uint8Array(0) };
    const text = JSON.stringify(encodeValue(v));
    expect(decodeValue(JSON.parse(text), '')).toEqual(v);
  });

  it('refuses damaged files naming the JSON path', async () => {
    const text = sessionToJson(await loaded());
    const bad = (f: (d: Record<string, any>) => void) => {
      try {
        sessionFromJson(mutate(text, f));
      } catch (e) {
        expect(e).toBeInstanceOf(SessionFormatError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(() => sessionFromJson('{')).toThrow(/^session file: not JSON/);
    expect(bad((d) => (d.format = 'flowlens-baseline'))).toMatch(/^session file: format: expected "flowlens-session"/);
    expect(bad((d) => (d.version = 2))).toMatch(/^session file: version: this page reads version 1/);
    expect(bad((d) => (d.result.alerts.severity.base64 = 'AAE='))).toMatch(/^session file: result\.alerts\.severity: expected \d+ entries, got 2/);
    expect(bad((d) => (d.result.alerts.tsUs = [1, 2]))).toMatch(/result\.alerts\.tsUs: expected a Float64Array, got an array/);
    expect(bad((d) => (d.result.alerts.score.$typed = 'BigInt64Array'))).toMatch(/result\.alerts\.score: unknown typed array/);
    expect(bad((d) => (d.result.channels[0].key.base64 = 'AAAA'))).toMatch(/result\.channels\[0\]\.key: expected 36 entries/);
    expect(bad((d) => (d.result.options.zscore.threshold = 'high'))).toMatch(/result\.options\.zscore\.threshold/);
    expect(bad((d) => (d.result.summary.packetsDecoded = '12'))).toMatch(/result\.summary\.packetsDecoded: expected a number/);
    expect(bad((d) => (d.triage[0].state = 'maybe'))).toMatch(/triage\[0\]\.state: expected one of new, confirmed, false-positive/);
    expect(bad((d) => (d.triage[0].alert = 1e6))).toMatch(/triage\[0\]\.alert: alert 1000000 is not in the result/);
    expect(bad((d) => (d.series[0].kind = 'other'))).toMatch(/series\[0\]\.kind: expected "channel" or "detector"/);
    expect(bad((d) => (d.series[0].series.value.base64 = '!!'))).toMatch(/series\[0\]\.series\.value\.base64: invalid base64/);
    expect(bad((d) => (d.meta.file.sha256 = 'nope'))).toMatch(/meta\.file\.sha256/);
    expect(bad((d) => (d.meta.alerts = 1))).toMatch(/meta\.alerts: 1 does not match/);
    expect(bad((d) => (d.result.conns.orig.base64 = 'AAAAAA=='))).toMatch(/result\.conns\.orig: expected \d+ entries/);
  });

  it('names export files safely', () => {
    expect(sessionFileName('scan.pcap 2024-01-02 03:04 UTC')).toBe('scan.pcap_2024-01-02_03_04_UTC.flowlens-session.json');
    expect(sessionFileName('../../etc')).toBe('.._.._etc.flowlens-session.json');
    expect(sessionFileName('///')).toBe('session.flowlens-session.json');
  });
});
