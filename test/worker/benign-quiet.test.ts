// Issue #4: "benign captures stay quiet at high severity". Every capture of normal/, normal/perf/
// and tcp_behaviour/ (test/eval/ground-truth.ts: categories benign and behaviour) goes through the
// whole pipeline at the default options, as `npm run evaluate` runs it, and raises no alert that
// the ground truth calls wrong there (no PORTSCAN, no SYNFLOOD, no HIGH alert of any detector,
// beyond the capture's own expected alerts), except the ones test/eval/ground-truth.ts names as
// real (`named`: what each is and why a responder would agree), exactly as many as it says. normal/perf/real_mix (986 merged captures, 150,489 packets)
// is judged by rule per detector instead of alert by alert: its ZSCORE and RETRANS alerts are
// checked against the capture itself (the z-score conditions; re-sent sequence space), the HIGH
// alerts of the other detectors are listed with their cause. Before the changes of this test's
// commit the evaluation counted 798 such alerts in 11 captures (ZSCORE 691, RETRANS 75, PROTOSHIFT
// 25, FLOWRULE 3, LATENCY 2, LONGCONN 2); see assembly/detect/zscore.ts and tcp-flow.ts.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import type { AnalysisResult } from '../../src/shared/protocol';
import { analyzeBlob } from '../../src/worker/pipeline';
import { defaultOptions } from '../../src/rules/options';
import { DATA, newEngine } from '../helpers/core';
import { GROUND_TRUTH } from '../eval/ground-truth';
import { alertsOf, matches, type EvalAlert } from '../eval/match';

const bytesOf = (path: string): Uint8Array<ArrayBuffer> => {
  const b = readFileSync(DATA + path);
  return new Uint8Array(path.endsWith('.gz') ? gunzipSync(b) : b);
};
async function run(path: string, f: (o: ReturnType<typeof defaultOptions>) => void = () => {}): Promise<AnalysisResult> {
  const o = defaultOptions();
  o.seed = 1;
  f(o);
  const { result } = await analyzeBlob(await newEngine(), new Blob([bytesOf(path)]), path, o);
  expect(result.ok).toBe(true);
  return result;
}

const MIX = 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz';

/** The real alerts the ground truth names on quiet captures (test/eval/ground-truth.ts `named`). */
const NAMED = new Map(GROUND_TRUTH.filter((t) => t.named).map((t) => [t.path, t.named!]));

/** The capture's alerts the ground truth forbids there (QUIET and its own forbidden patterns),
 *  before the named ones are set apart. */
function wrongAlerts(path: string, result: AnalysisResult): EvalAlert[] {
  const truth = GROUND_TRUTH.find((t) => t.path === path)!;
  return alertsOf(result).filter((a) => !truth.expect.some((e) => matches(e, a)) && truth.forbid.some((p) => matches(p, a)));
}

const QUIET_CAPTURES = GROUND_TRUTH.filter((t) => t.category !== 'attack' && t.path !== MIX).map((t) => t.path);

describe('benign and tcp_behaviour captures stay quiet at high severity', () => {
  it('the list covers every capture of normal/, normal/perf/ and tcp_behaviour/', () => {
    expect(QUIET_CAPTURES.length).toBeGreaterThanOrEqual(27);
    expect(QUIET_CAPTURES.filter((p) => p.startsWith('tcp_behaviour/')).length).toBe(14);
    for (const p of NAMED.keys()) if (p !== MIX) expect(QUIET_CAPTURES).toContain(p);
  });

  for (const path of QUIET_CAPTURES) {
    it(`${path.replace(/^.*\//, '')}: no HIGH alert${NAMED.has(path) ? ' but the named ones' : ''}`, async () => {
      const wrong = wrongAlerts(path, await run(path));
      const named = NAMED.get(path) ?? [];
      for (const n of named) {
        expect(wrong.filter((a) => matches(n, a)).length, `${path}: ${n.detector} (${n.why})`).toBe(n.alerts);
      }
      const rest = wrong.filter((a) => !named.some((n) => matches(n, a)));
      expect(rest.map((a) => `${a.detector} ${a.severity} ${a.src}:${a.sport} -> ${a.dst}:${a.dport}`)).toEqual([]);
    });
  }
});

// ---------------------------------------------------------------------------- real_mix

/** Per TCP flow direction (key "src sport dst dport"): data segments, and those whose sequence
 *  space the same direction had already sent, at least `gapUs` after it last extended it (a plain
 *  pass over the capture: Ethernet, 802.1Q/802.1ad, PPPoE, IPv4, IPv6 without extension headers;
 *  not the core's decoder or its out-of-order rule). */
function resentByDirection(b: Uint8Array, gapUs: number): Map<string, { data: number; resent: number }> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const st = new Map<string, { data: number; resent: number; lo: number; hi: number; hiAt: number }>();
  const ip4 = (o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const ip6 = (o: number) => Array.from({ length: 8 }, (_, i) => v.getUint16(o + 2 * i).toString(16)).join(':');
  for (let o = 24; o + 16 <= b.length; ) {
    const ts = v.getUint32(o, true) * 1e6 + v.getUint32(o + 4, true);
    const cap = v.getUint32(o + 8, true);
    const p = o + 16;
    o = p + cap;
    let e = p + 12;
    let type = v.getUint16(e);
    while ((type === 0x8100 || type === 0x88a8) && e + 6 <= o) { e += 4; type = v.getUint16(e); }
    let l3 = e + 2;
    if (type === 0x8864 && l3 + 8 <= o) {
      // PPPoE session: 6-byte header, then the PPP protocol (0x0021 IPv4, 0x0057 IPv6)
      const ppp = v.getUint16(l3 + 6);
      type = ppp === 0x0021 ? 0x0800 : ppp === 0x0057 ? 0x86dd : 0;
      l3 += 8;
    }
    let src: string, dst: string, t: number, ipEnd: number;
    if (type === 0x0800 && l3 + 20 <= o && b[l3 + 9] === 6) {
      const tot = v.getUint16(l3 + 2);
      src = ip4(l3 + 12); dst = ip4(l3 + 16); t = l3 + (b[l3] & 15) * 4; ipEnd = tot === 0 ? o : l3 + tot;
      if ((v.getUint16(l3 + 6) & 0x1fff) !== 0) continue;
    } else if (type === 0x86dd && l3 + 40 <= o && b[l3 + 6] === 6) {
      src = ip6(l3 + 8); dst = ip6(l3 + 24); t = l3 + 40; ipEnd = l3 + 40 + v.getUint16(l3 + 4);
    } else continue;
    if (t + 14 > o) continue;
    const flags = b[t + 13];
    const len = ipEnd - t - (b[t + 12] >> 4) * 4;
    if (len <= 1 || flags & 0x06) continue; // data, FIN allowed; not SYN or RST
    const key = `${src} ${v.getUint16(t)} ${dst} ${v.getUint16(t + 2)}`;
    const seq = v.getUint32(t + 4);
    let s = st.get(key);
    if (!s) { st.set(key, (s = { data: 0, resent: 0, lo: seq, hi: seq, hiAt: ts })); }
    s.data++;
    const end = (seq + len) >>> 0;
    // inside [lo, hi) already sent, the newest of it at least gapUs ago
    if (((seq - s.lo) | 0) >= 0 && ((end - s.hi) | 0) <= 0 && ts - s.hiAt >= gapUs && s.data > 1) s.resent++;
    if (((end - s.hi) | 0) > 0) { s.hi = end; s.hiAt = ts; }
  }
  return st;
}

describe(`${MIX.replace(/^.*\//, '')} (986 merged captures)`, () => {
  it('ZSCORE HIGH only for upward jumps over 30+ packets of a channel\'s own spread to a size it has not carried', async () => {
    const r = await run(MIX);
    const plain = await run(MIX, (o) => { o.zscore.highMinSamples = 0; });
    const high = (x: AnalysisResult) => {
      const out: number[] = [];
      for (let i = 0; i < x.alerts.count; i++) if (x.alerts.detector[i] === abi.DET_ZSCORE && x.alerts.severity[i] === abi.SEV_HIGH) out.push(i);
      return out;
    };
    const h = high(r);
    const a = r.alerts;
    for (const i of h) {
      expect(a.samples[i]).toBeGreaterThanOrEqual(30);
      expect(a.score[i]).toBeGreaterThanOrEqual(12);
      expect(a.std[i]).toBeGreaterThanOrEqual(Math.max(1, 0.05 * a.mean[i]));
    }
    // The same packets are flagged either way; the conditions only lower severities.
    const zs = (x: AnalysisResult) => { let n = 0; for (let i = 0; i < x.alerts.count; i++) n += +(x.alerts.detector[i] === abi.DET_ZSCORE); return n; };
    expect(zs(r)).toBe(zs(plain));
    expect(h.length).toBeGreaterThan(0);
    expect(h.length * 10).toBeLessThan(high(plain).length); // 646 -> 29 at this commit
    // The DCC send of normal/zeek_irc-dcc-send is among them (the capture is a constituent).
    const subj = h.map((i) => r.channels[a.channel[i]]);
    expect(subj.filter((c) => c.src === '10.0.0.7' && c.dst === '10.0.0.22')).toHaveLength(2);
  });

  it('RETRANS HIGH only on flows whose sender re-sent data; none on the zero-window, PMTU and new-ISN flows', async () => {
    const r = await run(MIX);
    const resent = resentByDirection(bytesOf(MIX), 10_000);
    const flows = wrongAlerts(MIX, r).filter((x) => x.detector === 'RETRANS');
    expect(flows.length).toBe(NAMED.get(MIX)!.find((n) => n.detector === 'RETRANS')!.alerts);
    for (const f of flows) {
      // either direction of the flow re-sent sequence space at least 10 ms after it last extended it
      const d1 = resent.get(`${f.src} ${f.sport} ${f.dst} ${f.dport}`);
      const d2 = resent.get(`${f.dst} ${f.dport} ${f.src} ${f.sport}`);
      expect((d1?.resent ?? 0) + (d2?.resent ?? 0), `${f.src}:${f.sport} -> ${f.dst}:${f.dport}`).toBeGreaterThanOrEqual(1);
    }
    const named = (src: string, sport: number) => flows.filter((f) => (f.src === src && f.sport === sport) || (f.dst === src && f.dport === sport));
    expect(named('192.168.72.14', 3254)).toEqual([]); // zero-window overruns (zeek_http_206_example_b)
    expect(named('10.10.1.4', 1470)).toEqual([]); // ICMP fragmentation needed (zeek_smtp)
    expect(named('10.10.10.1', 443)).toEqual([]); // SYN/ACKs with new ISNs
  });

  it('the other detectors\' HIGH alerts: PROTOSHIFT, LATENCY, LONGCONN and FLOWRULE only, each with a cause', async () => {
    // PROTOSHIFT: none at HIGH since HIGH needs a mature baseline of 31 windows (detect/
    // metrics.ts): where the merged stream passes from one capture to the next, a protocol or
    // port that was 0-19 % of the last 3-11 windows takes 53-100 % of the next (a new capture
    // starts): 23 HIGH before that rule, MEDIUM now (checked below); LATENCY: 172.16.42.216 -> 52.94.232.134:443, SYN -> SYN/ACK 799 ms against 177 ms
    // and SYN/ACK -> ACK 135 ms against 3 ms (the same lossy Wi-Fi capture whose flows RETRANS
    // flags); LONGCONN: an FTP control connection of 10 min against a 29-s mean, a 25-min flow to
    // tcp/11095 against 7 min; FLOWRULE small-packet-flood: three flows of 1,000+ packets at
    // 500+ packets/s of under 120 B (nDPI's protocol test traces). Owned by detect/metrics.ts,
    // latency.ts, longconn.ts and the default flow rules, not by this file.
    const r = await run(MIX);
    const by = new Map<string, number>();
    for (const a of wrongAlerts(MIX, r)) by.set(a.detector, (by.get(a.detector) ?? 0) + 1);
    expect([...by.keys()].sort()).toEqual(['FLOWRULE', 'LATENCY', 'LONGCONN', 'RETRANS', 'ZSCORE']);
    // The capture-boundary shifts are still reported, at MEDIUM.
    expect(alertsOf(r).filter((a) => a.detector === 'PROTOSHIFT' && a.severity === 'medium').length).toBeGreaterThanOrEqual(23);
  });

  it('a service new from 0 % on a young baseline is a MEDIUM shift, not HIGH (markofu tcp/5001, irc-dcc tcp/59130)', async () => {
    // Both are real bulk transfers (the ground truth names the z-score alerts beside them), on
    // baselines of 28 windows: under the 31 a HIGH shift needs.
    for (const [path, svc] of [['normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap', 5001], ['normal/zeek_irc-dcc-send.pcapng', 59130]] as const) {
      const shifts = alertsOf(await run(path)).filter((a) => a.detector === 'PROTOSHIFT' && a.dport === svc);
      expect(shifts.map((a) => a.severity), path).toEqual(['medium']);
    }
  });
});
