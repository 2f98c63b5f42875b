// src/ui/report.ts pure parts: the settings changed from the defaults and the order of the printed
// alerts (severity, then time), on a real capture.
import { describe, expect, it } from 'vitest';
import { reportAlertOrder, settingsDiff } from '../../src/ui/report';
import { defaultOptions } from '../../src/rules/options';
import { parseCli, runAnalyze, type CliRun } from '../../src/cli/main';
import { alertIndices } from '../../src/io/alert-rows';
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM } from '../../src/shared/abi';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;

describe('report', () => {
  it('settingsDiff lists exactly the changed settings (not the hash seed)', () => {
    const o = defaultOptions();
    expect(settingsDiff(o)).toEqual([]);
    o.seed = 5;
    expect(settingsDiff(o)).toEqual([]);
    o.rules.portscan.threshold = 7;
    o.rules.unusual.normal = ['tcp/80'];
    o.communityIdSeed = 1;
    expect(settingsDiff(o)).toEqual([
      ['rules.portscan.threshold', '7'],
      ['rules.unusual.normal', '["tcp/80"]'],
      ['communityIdSeed', '1'],
    ]);
  });

  it('orders alerts by severity, then time, and keeps at most maxRows', async () => {
    const file = DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
    const run = parseCli(['analyze', file]) as CliRun;
    const r = await runAnalyze(file, 'jsonl', run.options, () => undefined);
    const order = reportAlertOrder(r, 100_000);
    expect(order.length).toBe(alertIndices(r, false).length);
    expect(reportAlertOrder(r, 100_000, true).length).toBe(r.alerts.count);
    const rank = (i: number) => ({ [SEV_HIGH]: 0, [SEV_MEDIUM]: 1, [SEV_LOW]: 2 })[r.alerts.severity[i]]!;
    for (let k = 1; k < order.length; k++) {
      const [p, q] = [order[k - 1], order[k]];
      expect(rank(p) < rank(q) || (rank(p) === rank(q) && r.alerts.tsUs[p] <= r.alerts.tsUs[q])).toBe(true);
    }
    expect(new Set(order.map(rank)).size).toBeGreaterThan(1);
    expect(reportAlertOrder(r, 10)).toEqual(order.slice(0, 10));
  });
});
