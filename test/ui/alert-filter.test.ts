// The alert table's selection, order and tallies over a hand-built result.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { ALL_ALERTS, channelLabels, countSuppressed, selectAlerts, subjectLabel, tallyAlerts, variantName } from '../../src/ui/alert-filter';
import { resultOf } from './result';

const { DET_ZSCORE: Z, DET_PORTSCAN: P, DET_SYNFLOOD: S, SEV_LOW: L, SEV_MEDIUM: M, SEV_HIGH: H } = abi;

const r = resultOf(
  [
    { detector: Z, severity: L, score: -4, tsUs: 5e6, channel: 0 },
    { detector: P, severity: H, score: 100, tsUs: 1e6, lastUs: 3e6, channel: 1, sport: 0, dport: 0 },
    { detector: P, severity: M, score: 2, tsUs: 2e6, channel: 1, suppressed: true },
    { detector: S, severity: H, score: 50, tsUs: 4e6, channel: 2, suppressed: true, dport: 443, sport: 1234 },
    { detector: Z, severity: H, score: 9, tsUs: 3e6, channel: 0 },
  ],
  [
    ['10.0.0.1', '10.0.0.2', 'UDP'],
    ['192.168.1.10', '192.168.1.25', 'TCP'],
    ['192.0.2.10', '198.51.100.5', 'TCP'],
  ],
);
const labels = channelLabels(r);

describe('selectAlerts', () => {
  it('hides suppressed alerts unless asked, and counts them', () => {
    expect([...selectAlerts(r, ALL_ALERTS, 'first', 1, labels)]).toEqual([1, 4, 0]);
    expect(countSuppressed(r, ALL_ALERTS, labels)).toBe(2);
    expect([...selectAlerts(r, { ...ALL_ALERTS, showSuppressed: true }, 'first', 1, labels)]).toEqual([1, 2, 4, 3, 0]);
  });

  it('filters by detector, severity and subject text', () => {
    const q = { ...ALL_ALERTS, showSuppressed: true };
    expect([...selectAlerts(r, { ...q, detector: P }, 'first', 1, labels)]).toEqual([1, 2]);
    expect(countSuppressed(r, { ...ALL_ALERTS, detector: P }, labels)).toBe(1);
    expect([...selectAlerts(r, { ...q, severity: H }, 'first', 1, labels)]).toEqual([1, 4, 3]);
    expect([...selectAlerts(r, { ...q, text: '198.51.100' }, 'first', 1, labels)]).toEqual([3]);
    expect([...selectAlerts(r, { ...q, text: 'nothing' }, 'first', 1, labels)]).toEqual([]);
  });

  it('sorts by |score|, severity (then |score|), last time, and both directions', () => {
    const q = { ...ALL_ALERTS, showSuppressed: true };
    expect([...selectAlerts(r, q, 'score', -1, labels)]).toEqual([1, 3, 4, 0, 2]);
    expect([...selectAlerts(r, q, 'score', 1, labels)]).toEqual([2, 0, 4, 3, 1]);
    expect([...selectAlerts(r, q, 'severity', -1, labels)]).toEqual([1, 3, 4, 2, 0]);
    expect([...selectAlerts(r, q, 'last', 1, labels)]).toEqual([2, 1, 4, 3, 0]);
  });
});

describe('tallies and labels', () => {
  it('tallies alerts per detector by severity with the suppressed ones', () => {
    expect(tallyAlerts(r)).toEqual([
      { detector: Z, name: 'ZSCORE', alerts: 2, suppressed: 0, low: 1, medium: 0, high: 1, critical: 0 },
      { detector: P, name: 'PORTSCAN', alerts: 2, suppressed: 1, low: 0, medium: 1, high: 1, critical: 0 },
      { detector: S, name: 'SYNFLOOD', alerts: 1, suppressed: 1, low: 0, medium: 0, high: 1, critical: 0 },
    ]);
  });

  it('names what a whole-traffic judgement is about: the shifted class or service, all traffic', () => {
    const w = resultOf(
      [
        { detector: abi.DET_PROTOSHIFT, variant: abi.PROTOSHIFT_SERVICE, aux: (6 << 16) | 5001, severity: M, score: 98, tsUs: 1e6, channel: 0, dport: 5001 },
        { detector: abi.DET_PROTOSHIFT, variant: abi.PROTOSHIFT_PROTO, aux: 1, severity: M, score: 5, tsUs: 2e6, channel: 0 },
        { detector: abi.DET_SPIKE, variant: abi.SPIKE_GLOBAL, severity: M, score: 3, tsUs: 3e6, channel: 1, sport: 80, dport: 1275 },
        { detector: abi.DET_SPIKE, variant: abi.SPIKE_DST, severity: M, score: 3, tsUs: 3e6, channel: 2 },
      ],
      [['', '', 'TCP'], ['192.168.1.10', '', 'TCP'], ['192.168.1.10', '172.19.79.6', 'TCP']],
    );
    expect([0, 1, 2, 3].map((i) => subjectLabel(w, i))).toEqual([
      'all traffic \u00b7 tcp/5001',
      'all traffic \u00b7 UDP',
      'all traffic',
      '192.168.1.10 \u2192 172.19.79.6 \u00b7 TCP',
    ]);
  });

  it('names the subject with ports only when it has them', () => {
    expect(subjectLabel(r, 1, labels)).toBe('192.168.1.10 \u2192 192.168.1.25 \u00b7 TCP');
    expect(subjectLabel(r, 3, labels)).toBe('192.0.2.10 \u2192 198.51.100.5 \u00b7 TCP (1234 \u2192 443)');
  });

  it('names the variants', () => {
    expect(variantName(P, abi.PORTSCAN_HOSTS)).toBe('address scan');
    expect(variantName(P, abi.PORTSCAN_SYN)).toBe('SYN scan');
    expect(variantName(S, abi.SYNFLOOD_SPREAD)).toBe('spread');
    expect(variantName(S, abi.SYNFLOOD_SLOW)).toBe('low and slow');
    expect(variantName(S, abi.SYNFLOOD_DST)).toBe('one victim');
    expect(variantName(abi.DET_BLACKLIST, abi.BLACKLIST_MATCH_SRC | abi.BLACKLIST_MATCH_DST)).toBe('both ends');
    expect(variantName(Z, 0)).toBe('');
  });
});
