// The core's traffic timeline (assembly/detect/timeline.ts) on real captures: it counts exactly
// the decoded packets and bytes (sums equal the summary, per class too), its bins equal a JS
// binning of the same capture's record timestamps (own pcap record walk here), long captures
// double the bin width and stay under TL_MAX_BINS, out-of-order packets before the start land in
// bin 0, and rows (CSV) go through the same path.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { analyzeBlob } from '../../src/worker/pipeline';
import { DEFAULT_OPTIONS, TIMELINE_CLASSES, type AnalysisResult, type TrafficTimeline } from '../../src/shared/protocol';
import { DATA, newEngine } from '../helpers/core';
import { eth, ipv4, ipv6, pcap, tcp, udp, type PcapRec } from './decode-helpers';

const opts = { ...DEFAULT_OPTIONS, seed: 3 };

async function analyse(bytes: Uint8Array): Promise<AnalysisResult> {
  return (await analyzeBlob(await newEngine(), new Blob([new Uint8Array(bytes)]), 'x', opts)).result;
}

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

/** Every record of a classic pcap: time (µs, as the core floors nanoseconds) and wire length. */
function pcapRecords(b: Uint8Array): { tsUs: number; wire: number }[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const m = v.getUint32(0, true);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  const magic = v.getUint32(0, le);
  expect([0xa1b2c3d4, 0xa1b23c4d]).toContain(magic);
  const ns = magic === 0xa1b23c4d;
  const out: { tsUs: number; wire: number }[] = [];
  for (let p = 24; p + 16 <= b.length; ) {
    const sec = v.getUint32(p, le);
    const frac = v.getUint32(p + 4, le);
    const cap = v.getUint32(p + 8, le);
    out.push({ tsUs: sec * 1e6 + (ns ? Math.floor(frac / 1000) : frac), wire: v.getUint32(p + 12, le) });
    p += 16 + cap;
  }
  return out;
}

/** The timeline a JS reference expects: start = first record floored to 1 ms; width = 1 ms doubled
 *  until the last bin holds the latest record; records before the start in bin 0. */
function referenceBins(recs: { tsUs: number; wire: number }[]): { startUs: number; binUs: number; packets: number[]; bytes: number[] } {
  const first = recs[0].tsUs;
  const startUs = Math.floor(first / abi.TL_INITIAL_BIN_US) * abi.TL_INITIAL_BIN_US;
  const maxUs = recs.reduce((m, r) => Math.max(m, r.tsUs), -Infinity);
  let binUs = abi.TL_INITIAL_BIN_US;
  while (Math.floor((maxUs - startUs) / binUs) >= abi.TL_MAX_BINS) binUs *= 2;
  const n = Math.floor((maxUs - startUs) / binUs) + 1;
  const packets = new Array<number>(n).fill(0);
  const bytes = new Array<number>(n).fill(0);
  for (const r of recs) {
    const k = r.tsUs < startUs ? 0 : Math.floor((r.tsUs - startUs) / binUs);
    packets[k]++;
    bytes[k] += r.wire;
  }
  return { startUs, binUs, packets, bytes };
}

/** Sums of the timeline against the summary: packets, bytes, classes (ICMP + ICMPv6 = summary.icmp). */
function expectSumsMatchSummary(r: AnalysisResult, classes = true): TrafficTimeline {
  const t = r.timeline!;
  expect(t).toBeDefined();
  expect(t.bins).toBeLessThanOrEqual(abi.TL_MAX_BINS);
  expect(t.packets.length).toBe(t.bins);
  expect(t.classPackets.length).toBe(TIMELINE_CLASSES.length);
  expect(sum(t.packets)).toBe(r.summary.packetsDecoded);
  expect(sum(t.bytes)).toBe(r.summary.bytesDecoded);
  // Per bin, the classes add up to the total.
  for (let k = 0; k < t.bins; k++) {
    expect(t.classPackets.reduce((a, c) => a + c[k], 0)).toBe(t.packets[k]);
    expect(t.classBytes.reduce((a, c) => a + c[k], 0)).toBe(t.bytes[k]);
  }
  if (classes) {
    expect(sum(t.classPackets[0])).toBe(r.summary.tcp);
    expect(sum(t.classPackets[1])).toBe(r.summary.udp);
    expect(sum(t.classPackets[2]) + sum(t.classPackets[3])).toBe(r.summary.icmp);
    expect(sum(t.classPackets[4])).toBe(r.summary.otherIp);
  }
  // binUs is the initial width times a power of two.
  expect(Number.isInteger(Math.log2(t.binUs / abi.TL_INITIAL_BIN_US))).toBe(true);
  return t;
}

describe('traffic timeline (core)', () => {
  // Captures whose every record decodes (the reference bins every record).
  const reference = [
    'attacks/portscan/evilfingers_xscan_capture.pcap', // 348 s: 256 ms bins
    'attacks/ddos_amplification/stopddos_amp.dns.RRSIG.fragmented.pcap', // fragments, ICMP, other
    'attacks/icmp/suricata-verify_ipv6_rsmurf6.pcap', // 8 ms of ICMPv6: 1 ms bins
    'parser_corpus/ndpi/ipsec_isakmp_esp.pcap', // 19 h, 587 packets out of order
  ];
  for (const path of reference) {
    it(`bins ${path} like a JS binning of its records, and sums to the summary`, async () => {
      const bytes = readFileSync(DATA + path);
      const r = await analyse(bytes);
      expect(r.ok).toBe(true);
      const recs = pcapRecords(bytes);
      expect(r.summary.packetsDecoded).toBe(recs.length); // precondition: every record decodes
      const t = expectSumsMatchSummary(r);
      const ref = referenceBins(recs);
      expect(t.startUs).toBe(ref.startUs);
      expect(t.binUs).toBe(ref.binUs);
      expect(t.bins).toBe(ref.packets.length);
      expect(Array.from(t.packets)).toEqual(ref.packets);
      expect(Array.from(t.bytes)).toEqual(ref.bytes);
    });
  }

  it('puts ICMPv6 in its own class and ICMP in another (rsmurf6: 1000 ICMPv6)', async () => {
    const r = await analyse(readFileSync(DATA + 'attacks/icmp/suricata-verify_ipv6_rsmurf6.pcap'));
    const t = expectSumsMatchSummary(r);
    expect(sum(t.classPackets[3])).toBe(1000);
    expect(sum(t.classPackets[2])).toBe(0);
    expect(t.binUs).toBe(abi.TL_INITIAL_BIN_US); // 8 ms: fine 1 ms bins
    expect(t.bins).toBeGreaterThanOrEqual(8);
  });

  it('counts only decoded packets when some records are skipped (markofu: 26 not decoded)', async () => {
    const r = await analyse(readFileSync(DATA + 'normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap'));
    expect(r.summary.recordsRead).toBeGreaterThan(r.summary.packetsDecoded);
    expectSumsMatchSummary(r);
  });

  it('keeps the sums over 26 years of the merged perf capture (gzip, 150,489 records), in at most TL_MAX_BINS bins', async () => {
    const gz = readFileSync(DATA + 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz');
    const r = await analyse(gz);
    expect(r.ok).toBe(true);
    const t = expectSumsMatchSummary(r);
    const spanUs = r.summary.tsLastUs - r.summary.tsFirstUs;
    expect(spanUs).toBeGreaterThan(9000 * 86400e6);
    // The width is the smallest doubling of 1 ms that covers the span.
    expect(t.binUs * abi.TL_MAX_BINS).toBeGreaterThan(spanUs);
    expect((t.binUs / 2) * abi.TL_MAX_BINS).toBeLessThanOrEqual(spanUs + (r.summary.tsFirstUs - t.startUs));
    // Same bins as the JS reference on the decompressed records of the decoded packets' times.
    const recs = pcapRecords(gunzipSync(gz));
    expect(recs.length).toBe(150489);
    expect(t.startUs).toBe(referenceBins(recs).startUs);
  });

  it('doubles the width for a generated capture spanning days, puts an early out-of-order packet in bin 0', async () => {
    const a = [10, 0, 0, 1];
    const b = [10, 0, 0, 2];
    const v6a = [0xfe, 0x80, ...new Array(13).fill(0), 1];
    const v6b = [0xfe, 0x80, ...new Array(13).fill(0), 2];
    const t0 = 1_700_000_000;
    const recs: PcapRec[] = [];
    const frames = [
      eth(0x0800, ipv4(a, b, 6, tcp(1000, 80, 2))),
      eth(0x0800, ipv4(a, b, 17, udp(1000, 53))),
      eth(0x0800, ipv4(a, b, 1, new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0]))),
      eth(0x86dd, ipv6(v6a, v6b, [], 58, new Uint8Array([128, 0, 0, 0, 0, 0, 0, 0]))),
      eth(0x0800, ipv4(a, b, 47, new Uint8Array(8))), // GRE: other
    ];
    // One packet every 6 hours for 5 days, cycling through the classes, plus one 2 days before
    // the first (out of order).
    for (let i = 0; i < 20; i++) recs.push({ sec: t0 + i * 6 * 3600, frac: 500_123, data: frames[i % 5] });
    recs.push({ sec: t0 - 2 * 86400, frac: 0, data: frames[0], wire: 1500 });
    const r = await analyse(pcap(1, recs));
    expect(r.ok).toBe(true);
    expect(r.summary.packetsDecoded).toBe(21);
    const t = expectSumsMatchSummary(r);
    for (let c = 0; c < 5; c++) expect(sum(t.classPackets[c])).toBe(c === 0 ? 5 : 4);
    expect(t.startUs).toBe(t0 * 1e6 + 500_000);
    const spanUs = 19 * 6 * 3600e6 + 123;
    let want = abi.TL_INITIAL_BIN_US;
    while (Math.floor(spanUs / want) >= abi.TL_MAX_BINS) want *= 2;
    expect(t.binUs).toBe(want);
    expect(t.binUs).toBeGreaterThan(abi.TL_INITIAL_BIN_US * 1e5);
    // Bin 0: the first packet and the out-of-order one (1500 wire bytes).
    expect(t.packets[0]).toBe(2);
    expect(t.classPackets[0][0]).toBe(2);
    expect(t.bytes[0]).toBe(frames[0].length + 1500);
    expect(t.packets[t.bins - 1]).toBeGreaterThanOrEqual(1);
  });

  it('is empty before the first packet, and a second analysis on the same engine starts afresh', async () => {
    const engine = await newEngine();
    const espn = readFileSync(DATA + 'normal/chrissanders_http_espn.pcapng');
    const runOnce = async () => (await analyzeBlob(engine, new Blob([espn]), 'e', opts)).result;
    const r1 = await runOnce();
    const r2 = await runOnce();
    expect(Array.from(r2.timeline!.packets)).toEqual(Array.from(r1.timeline!.packets));
    expect(r2.timeline!.startUs).toBe(r1.timeline!.startUs);
    expectSumsMatchSummary(r2);
    const empty = (await analyzeBlob(engine, new Blob([new Uint8Array(pcap(1, []))]), 'e', opts)).result;
    expect(empty.ok).toBe(true);
    expect(empty.timeline!.bins).toBe(0);
    expect(empty.timeline!.packets.length).toBe(0);
  });

  it('bins CSV rows through the same core path (sums equal the summary)', async () => {
    const csv = readFileSync(DATA + 'flows/cicids2017_improved_sample/Portscan_2500.csv');
    const r = await analyse(csv);
    expect(r.summary.format).toBe('csv');
    expect(r.summary.packetsDecoded).toBe(2500);
    // Rows do not feed the summary's IP-protocol counters; the timeline classes still sum up.
    const t = expectSumsMatchSummary(r, false);
    expect(sum(t.classPackets[0]) + sum(t.classPackets[1]) + sum(t.classPackets[2]) + sum(t.classPackets[3]) + sum(t.classPackets[4])).toBe(2500);
    // The last bin holds the latest row.
    expect(t.startUs + t.bins * t.binUs).toBeGreaterThan(r.summary.tsLastUs);
    expect(t.startUs + (t.bins - 1) * t.binUs).toBeLessThanOrEqual(r.summary.tsLastUs);
  });
});
