// decodeProtocolShares / shareRowIndex (src/worker/protocol-shares.ts): the PROTOSHIFT trace points
// (synthetic, in the layout of the core's trace spec) grouped into windows and rows.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { decodeProtocolShares, serviceLabel, shareRowIndex, type SharePoints } from '../../src/worker/protocol-shares';
import { rng } from '../helpers/rng';

interface Pt {
  t: number;
  kind: number;
  share: number;
  mean?: number;
  std?: number;
  packets: number;
  flagged?: boolean;
  svc?: number;
}

function points(list: Pt[]): SharePoints {
  return {
    tsUs: Float64Array.from(list, (p) => p.t),
    size: Float64Array.from(list, (p) => p.share),
    mean: Float64Array.from(list, (p) => p.mean ?? NaN),
    std: Float64Array.from(list, (p) => p.std ?? NaN),
    z: Float64Array.from(list, (p) => p.packets),
    flags: Uint32Array.from(list, (p) => (p.flagged ? 2 : 0) | 1 | (p.kind << 8)),
    recordIndex: Uint32Array.from(list, (p) => p.svc ?? 0),
  };
}

const W = 10_000_000;
const HTTPS = (6 << 16) | 443;
const DNS = (17 << 16) | 53;

/** One window: the five classes with the given shares, then the services. */
function window(t: number, classShares: number[], packets: number, extra: Partial<Pt>[] = [], flagClass = -1): Pt[] {
  return [
    ...classShares.map((share, kind) => ({ t, kind, share, mean: 0.2, std: 0.01, packets, flagged: kind === flagClass })),
    ...extra.map((e) => ({ t, kind: 5, share: 0, packets, ...e })),
  ];
}

describe('decodeProtocolShares', () => {
  it('groups points by window start (ascending) and row: classes in order, then services by protocol and port', () => {
    const list = [
      ...window(2 * W, [0.2, 0.7, 0.1, 0, 0], 500, [{ svc: DNS, share: 0.65, mean: 0.1, std: 0.02, flagged: true }], 1),
      ...window(0, [0.9, 0.1, 0, 0, 0], 300, [{ svc: HTTPS, share: 0.8, mean: NaN }]),
      ...window(W, [0.85, 0.15, 0, 0, 0], 400, [{ svc: DNS, share: 0.1, mean: 0.1 }, { svc: HTTPS, share: 0.7, mean: 0.8 }]),
    ];
    const s = decodeProtocolShares(points(list), 10, false);
    expect(Array.from(s.tsUs)).toEqual([0, W, 2 * W]);
    expect(Array.from(s.packets)).toEqual([300, 400, 500]);
    expect(s.rows.map((r) => r.label)).toEqual(['TCP', 'UDP', 'ICMP', 'ICMPv6', 'other', 'TCP/443', 'UDP/53']);
    expect(s.rows[5]).toEqual({ label: 'TCP/443', classIndex: -1, proto: 6, port: 443 });
    expect(Array.from(s.shares[0])).toEqual([0.9, 0.85, 0.2]);
    expect(Array.from(s.shares[1])).toEqual([0.1, 0.15, 0.7]);
    // a service missing from a window: share 0, baseline unknown
    expect(Array.from(s.shares[5])).toEqual([0.8, 0.7, 0]);
    expect(s.baseline[5][0]).toBeNaN();
    expect(s.baseline[5][1]).toBe(0.8);
    expect(s.baseline[5][2]).toBeNaN();
    expect(Array.from(s.shares[6])).toEqual([0, 0.1, 0.65]);
    expect(Array.from(s.flagged[6])).toEqual([0, 0, 1]);
    expect(Array.from(s.flagged[1])).toEqual([0, 0, 1]);
    expect(Array.from(s.flagged[0])).toEqual([0, 0, 0]);
    expect(s.std[6][2]).toBe(0.02);
    expect(s.windowS).toBe(10);
    expect(s.truncated).toBe(false);
  });

  it('drops the last window of a truncated trace (it may be cut short)', () => {
    const list = [...window(0, [1, 0, 0, 0, 0], 100), ...window(W, [0.5, 0.5, 0, 0, 0], 100).slice(0, 2)];
    const s = decodeProtocolShares(points(list), 10, true);
    expect(Array.from(s.tsUs)).toEqual([0]);
    expect(s.shares.every((r) => r.length === 1)).toBe(true);
    expect(s.truncated).toBe(true);
    const whole = decodeProtocolShares(points(list), 10, false);
    expect(whole.tsUs.length).toBe(2);
  });

  it('keeps the class shares of every window summing to what the trace said, for random traces', () => {
    const r = rng(11);
    for (let rep = 0; rep < 20; rep++) {
      const windows = 1 + Math.floor(r() * 30);
      const list: Pt[] = [];
      const truth: number[][] = [];
      for (let w = 0; w < windows; w++) {
        const raw = Array.from({ length: 5 }, () => r());
        const sum = raw.reduce((x, y) => x + y, 0);
        const shares = raw.map((x) => x / sum);
        truth.push(shares);
        list.push(...window(w * W, shares, 100 + w));
      }
      // any order in, time order out
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [list[i], list[j]] = [list[j], list[i]];
      }
      const s = decodeProtocolShares(points(list), 10, false);
      expect(s.tsUs.length).toBe(windows);
      for (let w = 0; w < windows; w++) {
        for (let c = 0; c < 5; c++) expect(s.shares[c][w]).toBe(truth[w][c]);
        expect(s.packets[w]).toBe(100 + w);
      }
    }
  });

  it('refuses a point with an unknown row kind, naming it', () => {
    const list = window(0, [1, 0, 0, 0, 0], 10);
    list[3] = { ...list[3], kind: 9 };
    expect(() => decodeProtocolShares(points(list), 10, false)).toThrow(/trace point 3: unknown row kind 9/);
  });

  it('decodes an empty trace to no windows and the five class rows', () => {
    const s = decodeProtocolShares(points([]), 10, false);
    expect(s.tsUs.length).toBe(0);
    expect(s.rows.length).toBe(5);
  });
});

describe('shareRowIndex', () => {
  const s = decodeProtocolShares(points([...window(0, [0.5, 0.5, 0, 0, 0], 100, [{ svc: DNS, share: 0.4 }, { svc: HTTPS, share: 0.1 }])]), 10, false);
  it('finds the class of a PROTOSHIFT_PROTO alert and the service of a PROTOSHIFT_SERVICE alert', () => {
    expect(shareRowIndex(s, abi.PROTOSHIFT_PROTO, 1)).toBe(1);
    expect(shareRowIndex(s, abi.PROTOSHIFT_PROTO, 4)).toBe(4);
    expect(s.rows[shareRowIndex(s, abi.PROTOSHIFT_SERVICE, DNS)].label).toBe('UDP/53');
    expect(s.rows[shareRowIndex(s, abi.PROTOSHIFT_SERVICE, HTTPS)].label).toBe('TCP/443');
  });
  it('answers -1 for a row the series does not have', () => {
    expect(shareRowIndex(s, abi.PROTOSHIFT_PROTO, 7)).toBe(-1);
    expect(shareRowIndex(s, abi.PROTOSHIFT_SERVICE, (6 << 16) | 22)).toBe(-1);
    expect(shareRowIndex(s, 9, 0)).toBe(-1);
  });
  it('labels services by protocol and port', () => {
    expect(serviceLabel(DNS)).toBe('UDP/53');
    expect(serviceLabel((132 << 16) | 9899)).toBe('proto 132/9899');
  });
});
