// The PROTOSHIFT evidence series of the worker service (src/worker/service.ts detectorSeries, the
// core's trace decoded by src/worker/protocol-shares.ts) on a real capture:
// normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap, whose tcp/5001 transfer takes 98 % of a
// window's packets (README: PROTOSHIFT markofu 1 HIGH).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { defaultOptions } from '../../src/rules/options';
import { createWorkerApi } from '../../src/worker/service';
import { DATA, newEngine } from '../helpers/core';

const FILE = 'normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap';

describe('PROTOSHIFT evidence series', () => {
  it('every window with its class shares summing to 1, the flagged service row agreeing with the alert', async () => {
    const api = createWorkerApi(newEngine);
    const o = defaultOptions();
    o.seed = 9;
    const r = await api.analyze(new Blob([new Uint8Array(readFileSync(DATA + FILE))]), 'markofu', o);
    const shifts = [...Array(r.alerts.count).keys()].filter((i) => r.alerts.detector[i] === abi.DET_PROTOSHIFT);
    expect(shifts.length).toBeGreaterThan(0);
    const i = shifts[0];
    const s = await api.detectorSeries(i, 200_000);
    expect(s.detector).toBe('PROTOSHIFT');
    const p = s.shares!;
    expect(p.truncated).toBe(false);
    expect(p.windowS).toBe(10);
    expect(p.tsUs.length).toBeGreaterThan(3);
    for (let w = 1; w < p.tsUs.length; w++) expect(p.tsUs[w] - p.tsUs[w - 1]).toBeGreaterThanOrEqual(10e6);
    for (let w = 0; w < p.tsUs.length; w++) {
      if (p.packets[w] === 0) continue;
      let sum = 0;
      for (let c = 0; c < 5; c++) sum += p.shares[c][w];
      expect(sum).toBeCloseTo(1, 9);
    }
    // The alert's row: the one it names, flagged in the window of its first packet, at its peak share.
    expect(s.focus).toBeGreaterThanOrEqual(0);
    const row = p.rows[s.focus!];
    if (r.alerts.variant[i] === abi.PROTOSHIFT_SERVICE) {
      expect(row.proto * 65536 + row.port).toBe(r.alerts.aux[i]);
      expect(row.label).toBe('TCP/5001');
    } else expect(row.classIndex).toBe(r.alerts.aux[i]);
    const flagged = [...p.flagged[s.focus!].keys()].filter((w) => p.flagged[s.focus!][w]);
    expect(flagged.length).toBeGreaterThan(0);
    const first = flagged[0];
    expect(r.alerts.tsUs[i]).toBeGreaterThanOrEqual(p.tsUs[first]);
    expect(r.alerts.tsUs[i]).toBeLessThan(p.tsUs[first] + 10e6);
    const peak = Math.max(...flagged.map((w) => p.shares[s.focus!][w]));
    expect(peak * 100).toBeCloseTo(r.alerts.value[i], 6);
    // and the baseline it was judged against (percent in the alert, a fraction in the trace)
    expect(p.baseline[s.focus!][first] * 100).toBeCloseTo(r.alerts.mean[i], 6);
    expect(Array.from(s.value)).toEqual(Array.from(p.shares[s.focus!]));
  });
});
