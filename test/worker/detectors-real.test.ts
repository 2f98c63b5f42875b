// End to end on real captures (shared/data, ground truth in MANIFEST.md): the rule detectors and
// the default flow rules through the whole pipeline, with the rate limiter, marks, per-detector
// counts and the evidence series. These need the core's detectors (portscan, synflood, flow
// rules, flow windows) and the CLI's 'lines' reader: they fail against the core stubs.
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import type { AnalysisOptions, AnalysisResult } from '../../src/shared/protocol';
import { analyzeBlob, type PipelineHooks } from '../../src/worker/pipeline';
import { createWorkerApi } from '../../src/worker/service';
import { defaultOptions } from '../../src/rules/options';
import { DATA, newEngine } from '../helpers/core';

const options = (f: (o: AnalysisOptions) => void = () => {}) => {
  const o = defaultOptions();
  o.seed = 11;
  f(o);
  return o;
};
/** The bytes of capture `path` (under shared/data), gunzipped when it ends in .gz. */
const bytesOf = (path: string): Uint8Array<ArrayBuffer> => {
  const b = readFileSync(DATA + path);
  return new Uint8Array(path.endsWith('.gz') ? gunzipSync(b) : b);
};
const run = async (path: string, o = options(), hooks: PipelineHooks = {}) =>
  (await analyzeBlob(await newEngine(), new Blob([bytesOf(path)]), path, o, hooks)).result;

/** Indexes of the alerts of detector `det` (and flow rule `rule`, by name). */
function pick(r: AnalysisResult, det: number, rule?: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.alerts.count; i++) {
    if (r.alerts.detector[i] !== det) continue;
    if (rule !== undefined && r.flowRules[r.alerts.rule[i]] !== rule) continue;
    out.push(i);
  }
  return out;
}
const subject = (r: AnalysisResult, i: number) => r.channels[r.alerts.channel[i]];

describe('SYN flood (attacks/synflood/evgenii_syn_flood.pcap: 5870 SYNs 192.168.1.52 → 192.168.1.34:80)', () => {
  it('raises a SYNFLOOD alert naming the victim, with its evidence, marks and series', async () => {
    const r = await run('attacks/synflood/evgenii_syn_flood.pcap', options(), { collectMarks: true });
    expect(r.ok).toBe(true);
    const flood = pick(r, abi.DET_SYNFLOOD).filter((i) => r.alerts.variant[i] === abi.SYNFLOOD_DST);
    expect(flood.length).toBeGreaterThanOrEqual(1);
    expect(subject(r, flood[0]).dst).toBe('192.168.1.34');
    expect(r.alerts.threshold[flood[0]]).toBe(100);
    expect(r.alerts.value[flood[0]]).toBeGreaterThan(100);
    expect(r.alerts.value[flood[0]]).toBeLessThanOrEqual(5870);
    const ev = r.summary.byDetector.SYNFLOOD.evidencePackets;
    expect(ev).toBeGreaterThanOrEqual(5770); // every SYN after the 100th at least
    expect(ev).toBeLessThanOrEqual(5870);
    // one mark per flagged packet, in input order; the SYNFLOOD ones are exactly its evidence
    const m = new DataView(r.marks!.buffer, r.marks!.byteOffset, r.marks!.byteLength);
    const n = r.marks!.length / abi.MARK_STRIDE;
    let syn = 0;
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const rec = m.getUint32(i * abi.MARK_STRIDE + abi.MARK_RECORD_INDEX, true);
      expect(rec).toBeGreaterThan(prev);
      prev = rec;
      if (m.getUint32(i * abi.MARK_STRIDE + abi.MARK_REASONS, true) & (1 << abi.DET_SYNFLOOD)) syn++;
    }
    expect(syn).toBe(ev);
  });

  it('its evidence series rises past the threshold (worker service re-read)', async () => {
    const api = createWorkerApi(newEngine);
    const r = await api.analyze(new Blob([readFileSync(DATA + 'attacks/synflood/evgenii_syn_flood.pcap')]), 'f', options());
    const i = pick(r, abi.DET_SYNFLOOD).find((k) => r.alerts.variant[k] === abi.SYNFLOOD_DST)!;
    const s = await api.detectorSeries(i, 100_000);
    expect(s.detector).toBe('SYNFLOOD');
    expect([s.threshold, s.windowS]).toEqual([100, 60]);
    expect(s.tsUs.length).toBeGreaterThanOrEqual(5770);
    expect(Math.max(...s.value)).toBeGreaterThan(100);
    expect(s.value[0]).toBeLessThanOrEqual(100);
  });

  it('a blacklisted attacker: BLACKLIST alerts and every packet to or from it as evidence', async () => {
    const r = await run('attacks/synflood/evgenii_syn_flood.pcap', options((o) => (o.rules.blacklist.entries = ['192.168.1.52/32'])));
    expect(r.summary.blacklistRanges).toBe(1);
    const bl = pick(r, abi.DET_BLACKLIST);
    expect(bl.length).toBeGreaterThanOrEqual(1);
    expect(bl.every((i) => subject(r, i).src === '192.168.1.52' || subject(r, i).dst === '192.168.1.52')).toBe(true);
    expect(r.summary.byDetector.BLACKLIST.evidencePackets).toBe(6521 + 5846); // manifest: sent + received
  });
});

describe('SYN flood without a victim (attacks/synflood/ppa1e_dosattack.pcap: 100 SYNs, random ends, 16 ms)', () => {
  it('raises the spread variant with no single destination', async () => {
    const r = await run('attacks/synflood/ppa1e_dosattack.pcap');
    const spread = pick(r, abi.DET_SYNFLOOD).filter((i) => r.alerts.variant[i] === abi.SYNFLOOD_SPREAD);
    expect(spread.length).toBe(1);
    expect(subject(r, spread[0]).dst).toBe('');
  });
});

describe('SYN flood, low and slow (attacks/synflood/stopddos_amp: 354 SYNs from 53 sources to 10.10.10.10 over 818 s)', () => {
  it('raises the SLOW variant naming the victim at the defaults, and no DST alert', async () => {
    const r = await run('attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng');
    const flood = pick(r, abi.DET_SYNFLOOD);
    expect(flood.map((i) => r.alerts.variant[i])).toEqual([abi.SYNFLOOD_SLOW]);
    const i = flood[0];
    expect(subject(r, i).dst).toBe('10.10.10.10');
    expect([r.alerts.threshold[i], r.alerts.windowS[i]]).toEqual([200, 600]);
    expect(r.alerts.value[i]).toBeGreaterThan(200);
    expect(r.alerts.value[i]).toBeLessThanOrEqual(354);
    // Switched off through the options: nothing.
    const off = await run('attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng', options((o) => (o.rules.synfloodSlow.enabled = false)));
    expect(pick(off, abi.DET_SYNFLOOD)).toEqual([]);
  });

  it('its evidence series: every SYN to the victim with the SYNs in the last 600 s, crossing 200 (worker service re-read)', async () => {
    const api = createWorkerApi(newEngine);
    const file = readFileSync(DATA + 'attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng');
    const r = await api.analyze(new Blob([file]), 'f', options());
    const i = pick(r, abi.DET_SYNFLOOD).find((k) => r.alerts.variant[k] === abi.SYNFLOOD_SLOW)!;
    const s = await api.detectorSeries(i, 100_000);
    expect(s.detector).toBe('SYNFLOOD');
    expect([s.threshold, s.windowS]).toEqual([200, 600]);
    expect(s.tsUs.length).toBe(354); // MANIFEST: 354 SYN-only packets to 10.10.10.10
    expect(Math.max(...s.value)).toBeGreaterThan(200);
    expect(Math.max(...s.value)).toBeLessThanOrEqual(354);
    expect(s.value[0]).toBe(1);
  });

  it('every capture in attacks/synflood raises a SYNFLOOD alert naming its victim (MANIFEST ground truth)', async () => {
    const victims: Record<string, string> = {
      'evgenii_syn_flood.pcap': '192.168.1.34',
      'ppa1e_dosattack.pcap': '', // the spread variant: no single victim
      'stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng': '10.10.10.10',
      'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng': '10.10.10.10',
      'suricata-verify_tcp-session-syn-flood.pcap': '198.51.100.5',
    };
    const files = readdirSync(DATA + 'attacks/synflood').filter((f) => /\.pcap(ng)?$/.test(f));
    expect(files.sort()).toEqual(Object.keys(victims).sort());
    for (const f of files) {
      const r = await run('attacks/synflood/' + f);
      const flood = pick(r, abi.DET_SYNFLOOD);
      expect(flood.length, f).toBeGreaterThan(0);
      expect(flood.map((i) => subject(r, i).dst), f).toEqual(flood.map(() => victims[f]));
    }
  });
});

describe('SYNFLOOD on benign captures', () => {
  it('stays silent on every capture in normal/ and normal/perf/', async () => {
    const files = [
      ...readdirSync(DATA + 'normal').filter((f) => /\.pcap/.test(f)).map((f) => 'normal/' + f),
      ...readdirSync(DATA + 'normal/perf').filter((f) => /\.pcap/.test(f)).map((f) => 'normal/perf/' + f),
    ];
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files).toContain('normal/perf/zeek_echo-connections.pcap.gz');
    for (const f of files) {
      const r = await run(f);
      expect(r.ok, f).toBe(true);
      expect(r.summary.packetsDecoded, f).toBeGreaterThan(0);
      expect(pick(r, abi.DET_SYNFLOOD).map((i) => `${f}: ${subject(r, i).dst}`)).toEqual([]);
    }
  });

  it('zeek_echo-connections (an echo load test) is silent because its handshakes complete: with the gate off (completedFraction 1) DST fires', async () => {
    const r = await run('normal/perf/zeek_echo-connections.pcap.gz', options((o) => (o.rules.synflood.completedFraction = 1)));
    const flood = pick(r, abi.DET_SYNFLOOD);
    expect(flood.map((i) => [r.alerts.variant[i], subject(r, i).dst])).toEqual([[abi.SYNFLOOD_DST, '127.0.0.1']]);
    expect(r.alerts.value[flood[0]]).toBe(741); // GT: 741 SYNs in 3 s
  });
});

describe('default flow rules', () => {
  it('stay silent on every benign capture in normal/', async () => {
    const files = readdirSync(DATA + 'normal').filter((f) => /\.pcap/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const f of files) {
      const r = await run('normal/' + f);
      expect(r.ok, f).toBe(true);
      expect(r.summary.flowWindows, f).toBeGreaterThan(0);
      expect(pick(r, abi.DET_FLOWRULE).map((i) => `${f}: ${r.flowRules[r.alerts.rule[i]]}`)).toEqual([]);
    }
  });

  it('port-fanout catches every probe of a SYN scan, 10 reported per 60 s, the rest suppressed', async () => {
    const r = await run('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    const hits = pick(r, abi.DET_FLOWRULE, 'port-fanout');
    expect(hits.length).toBeGreaterThanOrEqual(990); // ~1000 probe flows (1000 ports)
    expect(hits.every((i) => subject(r, i).src === '192.168.1.10' && subject(r, i).dst === '192.168.1.25')).toBe(true);
    const reported = pick(r, abi.DET_FLOWRULE).filter((i) => r.alerts.suppressed[i] === 0);
    expect(reported.length).toBe(10); // the scan lasts 1.24 s: one 60-s limit window
    const fr = r.summary.byDetector.FLOWRULE;
    expect(fr.alerts).toBe(pick(r, abi.DET_FLOWRULE).length);
    expect(fr.suppressed).toBe(fr.alerts - 10);
    expect(fr.evidencePackets).toBeGreaterThanOrEqual(990);
    const f = r.alerts.features;
    const k = hits[0] * 7;
    expect(f[k + 5]).toBeGreaterThan(100); // dst_ports
    expect(f[k]).toBeLessThanOrEqual(8); // packets
  });

  it('port-fanout catches scans without SYNs too (FIN scan, UDP scan)', async () => {
    for (const [file, n] of [['evilfingers_FIN_SCAN.pcap', 990], ['evilfingers_UDP_SCAN.pcap', 990]] as const) {
      const r = await run('attacks/portscan/' + file);
      expect(pick(r, abi.DET_FLOWRULE, 'port-fanout').length, file).toBeGreaterThanOrEqual(n);
    }
  });

  it('syn-repeat catches a fixed-5-tuple SYN flood (stopddos optionallysamePort, victim 10.10.10.10)', async () => {
    const r = await run('attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng');
    const hits = pick(r, abi.DET_FLOWRULE, 'syn-repeat');
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits.every((i) => subject(r, i).dst === '10.10.10.10')).toBe(true);
    expect(hits.every((i) => r.alerts.severity[i] === abi.SEV_HIGH)).toBe(true);
  });

  it('small-packet-flood catches the ICMPv6 rsmurf6 flood (1000 echo requests in 8 ms)', async () => {
    const r = await run('attacks/icmp/suricata-verify_ipv6_rsmurf6.pcap');
    const hits = pick(r, abi.DET_FLOWRULE, 'small-packet-flood');
    expect(hits.length).toBe(1);
    expect(subject(r, hits[0]).src).toBe('ff02::1');
    expect(r.alerts.evidence[hits[0]]).toBe(1000);
  });
});

describe("the 'lines' packet format", () => {
  it('is sniffed and analysed like CSV rows', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(`${1678886400000 + i},192.168.1.10,10.0.0.20,${40000 + i},80,TCP,60,SYN`);
    lines.push('1678886401000,10.0.0.20,192.168.1.10,80,40000,TCP,60,SYN-ACK');
    const r = (await analyzeBlob(await newEngine(), new Blob([lines.join('\n') + '\n']), 'p.txt', options())).result;
    expect(r.ok).toBe(true);
    expect(r.summary.format).toBe('lines');
    expect(r.summary.packetsDecoded).toBe(151);
    expect(r.summary.linktype).toBe(-1);
    const flood = pick(r, abi.DET_SYNFLOOD);
    expect(flood.length).toBeGreaterThanOrEqual(1);
    expect(subject(r, flood[0]).dst).toBe('10.0.0.20');
    expect(r.rowFields?.length).toBe(r.alerts.count);
  });
});
