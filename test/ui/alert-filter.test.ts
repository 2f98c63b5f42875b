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

// ---- #5 table: address/CIDR, port, protocol, text, time range, triage; ticks; sorting keys ----
import { AlertChecks, alertIndex, parseAddressFilter, protocolClass, queryProblem, sortAlerts } from '../../src/ui/alert-filter';
import { alertMessage } from '../../src/io/alert-rows';

const mixed = resultOf(
  [
    /* 0 */ { detector: Z, severity: L, score: -4, tsUs: 5e6, lastUs: 6e6, channel: 0, sport: 5353, dport: 53 },
    /* 1 */ { detector: P, severity: H, score: 100, tsUs: 1e6, lastUs: 3e6, channel: 1, sport: 40000, dport: 22 },
    /* 2 */ { detector: S, severity: M, score: 2, tsUs: 2e6, channel: 2, sport: 1234, dport: 443 },
    /* 3 */ { detector: Z, severity: H, score: NaN, tsUs: 9e6, lastUs: 12e6, channel: 3 },
    /* 4 */ { detector: abi.DET_SPIKE, variant: abi.SPIKE_GLOBAL, severity: M, score: 3, tsUs: 7e6, channel: 4 },
    /* 5 */ { detector: abi.DET_LARGESIZE, severity: M, score: 6, tsUs: 4e6, channel: 5, sport: 443, dport: 50000 },
  ],
  [
    ['10.0.0.1', '10.0.0.2', 'UDP'],
    ['192.168.1.10', '192.168.1.25', 'TCP'],
    ['192.0.2.10', '198.51.100.5', 'TCP'],
    ['2001:db8::1', 'fe80::1', 'ICMPv6'],
    ['', '', 'TCP'],
    ['HostA', 'ServerB', 'HTTP'],
  ],
);
const mixedLabels = channelLabels(mixed);
const pick = (q: Partial<typeof ALL_ALERTS>, triage?: (i: number) => 'new' | 'confirmed' | 'false-positive') =>
  [...selectAlerts(mixed, { ...ALL_ALERTS, showSuppressed: true, ...q }, 'first', 1, mixedLabels, { triage })];

describe('selectAlerts: the #5 filters', () => {
  it('address: an address or a CIDR block matches either end of the subject; names for CSV nodes', () => {
    expect(pick({ address: '10.0.0.2' })).toEqual([0]);
    expect(pick({ address: '10.0.0.0/8' })).toEqual([0]);
    expect(pick({ address: '192.168.0.0/16' })).toEqual([1]);
    expect(pick({ address: '198.51.100.5' })).toEqual([2]);
    expect(pick({ address: '192.0.2.0/24' })).toEqual([2]);
    expect(pick({ address: '2001:db8::/32' })).toEqual([3]);
    expect(pick({ address: 'fe80::1' })).toEqual([3]);
    expect(pick({ address: '::ffff:192.168.1.25' })).toEqual([1]); // IPv4-mapped equals the IPv4 address
    expect(pick({ address: '0.0.0.0/0' })).toEqual([1, 2, 0]); // every IPv4 subject, not the whole-traffic one
    expect(pick({ address: 'serverb' })).toEqual([5]);
    expect(pick({ address: '10.0.0.3' })).toEqual([]);
  });

  it('address: text that looks like an address but is not one selects nothing and says why', () => {
    for (const bad of ['10.0.0', '10.0.0.0/33', '2001:db8::zz']) {
      expect(typeof parseAddressFilter(bad)).toBe('string');
      expect(queryProblem({ ...ALL_ALERTS, address: bad })).toMatch(/not/);
      expect(pick({ address: bad })).toEqual([]);
    }
    expect(parseAddressFilter('  ')).toBeNull();
    expect(queryProblem(ALL_ALERTS)).toBeNull();
  });

  it('port matches either port; protocol by class (other = anything but TCP/UDP/ICMP/ICMPv6)', () => {
    expect(pick({ port: 443 })).toEqual([2, 5]);
    expect(pick({ port: 53 })).toEqual([0]);
    expect(pick({ port: 5353 })).toEqual([0]);
    expect(pick({ port: 0 })).toEqual([3]);
    expect(pick({ protocol: 'TCP' })).toEqual([1, 2]); // the whole-traffic SPIKE names no protocol
    expect(pick({ protocol: 'UDP' })).toEqual([0]);
    expect(pick({ protocol: 'ICMPv6' })).toEqual([3]);
    expect(pick({ protocol: 'other' })).toEqual([5]);
    expect(pick({ protocol: 'ICMP' })).toEqual([]);
    expect(['TCP', 'UDP', 'ICMP', 'ICMPv6', 'GRE', 'unknown', '47'].map(protocolClass)).toEqual(['TCP', 'UDP', 'ICMP', 'ICMPv6', 'other', 'other', 'other']);
  });

  it('text matches the explanation and the subject, case-insensitively', () => {
    expect(alertMessage(mixed, 1)).toContain('probed');
    expect(pick({ text: 'PROBED' })).toEqual([1]); // only in the explanation
    expect(pick({ text: 'packet of' })).toEqual([5, 0, 3]); // ZSCORE and LARGESIZE explanations
    expect(pick({ text: 'icmpv6' })).toEqual([3]);
    expect(pick({ text: '198.51.100' })).toEqual([2]);
    expect(pick({ text: 'serverb' })).toEqual([5]);
    expect(pick({ text: 'all traffic' })).toEqual([4]);
  });

  it('time range: [tsUs, lastUs] overlaps [from, to]; open ends', () => {
    expect(pick({ fromUs: 2.5e6, toUs: 4.5e6 })).toEqual([1, 5]); // 1: 1–3 s overlaps, 5: 4 s inside
    expect(pick({ fromUs: 6e6, toUs: 6e6 })).toEqual([0]); // 0: 5–6 s touches 6 s
    expect(pick({ fromUs: 10e6, toUs: null })).toEqual([3]); // 3: 9–12 s
    expect(pick({ fromUs: null, toUs: 1.5e6 })).toEqual([1]);
    expect(pick({ fromUs: 13e6, toUs: 20e6 })).toEqual([]);
  });

  it('triage: filters and sorts through the lookup; without a lookup the state filter is ignored', () => {
    const states = ['new', 'confirmed', 'false-positive', 'confirmed', 'new', 'false-positive'] as const;
    const look = (i: number) => states[i];
    expect(pick({ triage: 'confirmed' }, look)).toEqual([1, 3]);
    expect(pick({ triage: 'false-positive' }, look)).toEqual([2, 5]);
    expect(pick({ triage: 'confirmed' })).toEqual([1, 2, 5, 0, 4, 3]);
    const q = { ...ALL_ALERTS, showSuppressed: true };
    expect([...selectAlerts(mixed, q, 'triage', 1, mixedLabels, { triage: look })]).toEqual([0, 4, 1, 3, 2, 5]);
  });

  it('filters combine (AND) and respect suppression', () => {
    expect(pick({ protocol: 'TCP', port: 443 })).toEqual([2]);
    expect(pick({ severity: H, address: '192.168.1.25' })).toEqual([1]);
    expect([...selectAlerts(r, { ...ALL_ALERTS, address: '198.51.100.5' }, 'first', 1, labels)]).toEqual([]); // suppressed
    expect(countSuppressed(r, { ...ALL_ALERTS, address: '198.51.100.5' }, labels)).toBe(1);
  });

  it('sorts |score| with NaN lowest, subjects in collation order, detectors by id then variant', () => {
    const q = { ...ALL_ALERTS, showSuppressed: true };
    expect([...selectAlerts(mixed, q, 'score', -1, mixedLabels)]).toEqual([1, 5, 0, 4, 2, 3]);
    const bySubject = [...selectAlerts(mixed, q, 'subject', 1, mixedLabels)].map((i) => mixedLabels[mixed.alerts.channel[i]]);
    expect(bySubject).toEqual([...bySubject].sort(new Intl.Collator().compare));
    const byDet = [...selectAlerts(mixed, q, 'detector', 1, mixedLabels)].map((i) => mixed.alerts.detector[i]);
    expect(byDet).toEqual([...byDet].sort((x, y) => x - y));
    // sortAlerts sorts in place and returns the same array
    const idx = Uint32Array.from([0, 1, 2]);
    expect(sortAlerts(mixed, idx, 'first', -1, mixedLabels)).toBe(idx);
    expect([...idx]).toEqual([0, 2, 1]);
  });
});

describe('AlertChecks', () => {
  it('ticks, unticks, counts, and ticks a whole filtered order', () => {
    const c = new AlertChecks(6);
    expect(c.set(3, true)).toBe(true);
    expect(c.set(3, true)).toBe(false);
    c.toggle(1);
    expect(c.count).toBe(2);
    expect(c.list()).toEqual([1, 3]);
    const order = Uint32Array.from([5, 3, 1]);
    expect(c.stateOf(order)).toBe('some');
    c.setAll(order, true);
    expect(c.stateOf(order)).toBe('all');
    expect(c.list()).toEqual([1, 3, 5]);
    c.setAll(Uint32Array.from([3, 5]), false);
    expect(c.list()).toEqual([1]);
    expect(c.stateOf(Uint32Array.from([0, 2]))).toBe('none');
    expect(c.stateOf(new Uint32Array(0))).toBe('none');
    expect(c.set(99, true)).toBe(false);
  });
});

describe('alertIndex', () => {
  it('is one per result and ranks equal labels equally', () => {
    expect(alertIndex(mixed)).toBe(alertIndex(mixed));
    const dup = resultOf(
      [{ detector: Z, severity: L, score: 1, tsUs: 2, channel: 1 }, { detector: Z, severity: L, score: 1, tsUs: 1, channel: 0 }],
      [['b', 'c', 'TCP'], ['b', 'c', 'TCP']],
    );
    const ranks = alertIndex(dup).channelRanks();
    expect(ranks[0]).toBe(ranks[1]);
  });
});
