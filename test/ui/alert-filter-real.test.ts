// The alerts table's filters and sort over a real capture analysed in node (the same pipeline as
// the worker): xprobe2's ICMP/UDP scan of 192.168.1.25 by 192.168.1.20 (shared/data MANIFEST.md:
// UDP probes to ~146 ports, ICMP replies, TCP SYNs to 65535). Every expectation is computed
// here directly from the result's columns and channel strings, not through alert-filter.ts.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/shared/protocol';
import { analyzeBlob } from '../../src/worker/pipeline';
import { defaultOptions } from '../../src/rules/options';
import { alertMessage } from '../../src/io/alert-rows';
import { DATA, newEngine } from '../helpers/core';
import { ALL_ALERTS, channelLabels, selectAlerts, subjectLabel, type AlertQuery } from '../../src/ui/alert-filter';

const FILE = 'attacks/portscan/evilfingers_xprobe_xprobe_icmp_udp_scan.pcap';
let r: AnalysisResult;
let labels: string[];

beforeAll(async () => {
  const o = defaultOptions();
  o.seed = 11;
  r = (await analyzeBlob(await newEngine(), new Blob([readFileSync(DATA + FILE)]), FILE, o, {})).result;
  labels = channelLabels(r);
}, 60_000);

/** Alert indices (ascending) whose own columns satisfy `f`, suppressed ones left out. */
function expected(f: (i: number, src: string, dst: string, proto: string) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.alerts.count; i++) {
    if (r.alerts.suppressed[i]) continue;
    const c = r.channels[r.alerts.channel[i]];
    if (f(i, c.src, c.dst, c.proto)) out.push(i);
  }
  return out;
}
const got = (q: Partial<AlertQuery>) => [...selectAlerts(r, { ...ALL_ALERTS, ...q }, 'first', 1, labels)].sort((x, y) => x - y);

describe(`alert filters on ${FILE}`, () => {
  it('has alerts of several detectors, protocols and ports to filter', () => {
    expect(r.ok).toBe(true);
    expect(r.alerts.count).toBeGreaterThan(100);
    expect(new Set(r.channels.map((c) => c.proto)).size).toBeGreaterThan(1);
  });

  it('address and CIDR match either end', () => {
    const scanner = expected((_, s, d) => s === '192.168.1.20' || d === '192.168.1.20');
    expect(scanner.length).toBeGreaterThan(0);
    expect(got({ address: '192.168.1.20' })).toEqual(scanner);
    const victimOnly = expected((_, s, d) => s === '192.168.1.25' || d === '192.168.1.25');
    expect(got({ address: '192.168.1.25' })).toEqual(victimOnly);
    const lan = expected((_, s, d) => s.startsWith('192.168.1.') || d.startsWith('192.168.1.'));
    expect(got({ address: '192.168.1.0/24' })).toEqual(lan);
    expect(got({ address: '10.0.0.0/8' })).toEqual(expected((_, s, d) => s.startsWith('10.') || d.startsWith('10.')));
  });

  it('port matches either port, protocol the subject class, and they combine', () => {
    const a = r.alerts;
    const p53 = expected((i) => a.sport[i] === 53 || a.dport[i] === 53);
    expect(p53.length).toBeGreaterThan(0);
    expect(got({ port: 53 })).toEqual(p53);
    const udp = expected((_, __, ___, proto) => proto === 'UDP');
    expect(udp.length).toBeGreaterThan(0);
    expect(got({ protocol: 'UDP' })).toEqual(udp);
    expect(got({ protocol: 'TCP' })).toEqual(expected((_, __, ___, proto) => proto === 'TCP'));
    expect(got({ protocol: 'UDP', port: 53, address: '192.168.1.25' })).toEqual(
      expected((i, s, d, proto) => proto === 'UDP' && (a.sport[i] === 53 || a.dport[i] === 53) && (s === '192.168.1.25' || d === '192.168.1.25')),
    );
  });

  it('text matches the explanation or subject; time range overlap', () => {
    const needle = 'not a normal service';
    const text = expected((i) => alertMessage(r, i).toLowerCase().includes(needle) || subjectLabel(r, i, labels).toLowerCase().includes(needle));
    expect(text.length).toBeGreaterThan(0);
    expect(got({ text: 'Not A Normal Service' })).toEqual(text);
    const t0 = r.summary.tsFirstUs;
    const t1 = r.summary.tsLastUs;
    const from = t0 + (t1 - t0) / 3;
    const to = t0 + (2 * (t1 - t0)) / 3;
    const mid = expected((i) => r.alerts.lastUs[i] >= from && r.alerts.tsUs[i] <= to);
    expect(mid.length).toBeGreaterThan(0);
    expect(mid.length).toBeLessThan(expected(() => true).length);
    expect(got({ fromUs: from, toUs: to })).toEqual(mid);
  });

  it('sorts by |score| descending and by first time ascending', () => {
    const byScore = selectAlerts(r, ALL_ALERTS, 'score', -1, labels);
    for (let k = 1; k < byScore.length; k++) expect(Math.abs(r.alerts.score[byScore[k - 1]])).toBeGreaterThanOrEqual(Math.abs(r.alerts.score[byScore[k]]));
    const byFirst = selectAlerts(r, ALL_ALERTS, 'first', 1, labels);
    for (let k = 1; k < byFirst.length; k++) expect(r.alerts.tsUs[byFirst[k - 1]]).toBeLessThanOrEqual(r.alerts.tsUs[byFirst[k]]);
    expect(byScore.length).toBe(expected(() => true).length);
  });

  it('the packed sort gives the order of a plain comparator sort for every key and direction', () => {
    const a = r.alerts;
    const abs = (v: number) => (Number.isNaN(v) ? -Infinity : Math.abs(v));
    const keyOf: Record<string, (i: number) => number[]> = {
      detector: (i) => [a.detector[i], a.variant[i]],
      severity: (i) => [a.severity[i], abs(a.score[i])],
      first: (i) => [a.tsUs[i]],
      last: (i) => [a.lastUs[i]],
      score: (i) => [abs(a.score[i])],
    };
    for (const [key, f] of Object.entries(keyOf)) {
      for (const dir of [1, -1] as const) {
        const all = expected(() => true);
        const plain = [...all].sort((x, y) => {
          const kx = f(x);
          const ky = f(y);
          for (let k = 0; k < kx.length; k++) if (kx[k] !== ky[k]) return dir * (kx[k] < ky[k] ? -1 : 1);
          return a.tsUs[x] - a.tsUs[y] || x - y;
        });
        expect([...selectAlerts(r, ALL_ALERTS, key as 'score', dir, labels)], `${key} ${dir}`).toEqual(plain);
      }
    }
  });
});
