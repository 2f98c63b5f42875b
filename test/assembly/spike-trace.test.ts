// The SPIKE and PROTOSHIFT evidence traces (abi.ts TRACE_*, detect/metrics.ts hostPoint /
// globalPoint / shiftPoint) against the decisions they explain, on the real flood captures of
// attacks/synflood and attacks/ddos_amplification (MANIFEST.md victims), alone and, where the
// metric tests do so (test/assembly/metrics.test.ts), after learning normal/evgenii_no_flood.pcap:
// - every SPIKE point (the victim's series and the global one) that has thresholds is above its
//   MEDIUM threshold exactly when its window was flagged (a flagged window always has thresholds);
// - an alert's THRESHOLD and MEAN are those of the trace point of the window it was decided in;
// - a PROTOSHIFT row is flagged exactly when its window was judged (enough packets, a baseline past
//   its warm-up) and its share rose more than P points over the baseline share before the window;
// - tracing changes no decision (the same episodes with and without the trace).
// The symptom this guards: DOMINATE's last window against 10.10.10.10 (about 15 kB/s) showed as
// flagged under a MEDIUM threshold of about 95 kB/s: the point took the thresholds recomputed at the
// window's close, after the flood windows had joined the population baseline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine, readAlert, readTracePoint } from '../helpers/core';
import { packRows, type PacketRow } from '../helpers/records';
import { addrText, readCapturePackets, v4 } from '../reference/scan-core';
import { DEFAULT_METRICS, metricsConfigIds, referenceMetrics, type RefTracePoint } from '../reference/metrics';
import { metricPackets, ONLY_METRICS, runMetrics, type CoreEpisode, type MetricsRun } from '../reference/metrics-run';

const SF = 'attacks/synflood/';
const AMP = 'attacks/ddos_amplification/';
const DOMINATE = SF + 'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng';
/** The benign capture of the same lab LAN as evgenii_syn_flood (as metrics.test.ts learns it). */
const LEARN = 'normal/evgenii_no_flood.pcap';
const W_US = DEFAULT_METRICS.windowS * 1e6;

/** Victims (MANIFEST.md ground truth); `learn`: the metric tests learn LEARN first (no past of
 *  their own in the capture). */
const FLOODS: { rel: string; victim: string; learn: boolean }[] = [
  { rel: SF + 'evgenii_syn_flood.pcap', victim: '192.168.1.34', learn: true },
  { rel: SF + 'stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng', victim: '10.10.10.10', learn: false },
  { rel: DOMINATE, victim: '10.10.10.10', learn: false },
  { rel: SF + 'suricata-verify_tcp-session-syn-flood.pcap', victim: '198.51.100.5', learn: true },
  { rel: AMP + 'stopddos_amp.TCP.reflection.SYNACK.pcap', victim: '10.10.10.10', learn: true },
  { rel: AMP + 'stopddos_amp.UDP.bacnet.IOT.37810.pcapng', victim: '10.10.10.1', learn: true },
  { rel: AMP + 'stopddos_amp.UDP.isakmp.pcap', victim: '10.10.10.10', learn: true },
  { rel: AMP + 'stopddos_amp.dns.RRSIG.fragmented.pcap', victim: '10.10.10.10', learn: true },
];

const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };
const TRACE = (det: number) => ({ [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: det });

/** 16-byte address of the reference reader's text (dotted quad or 32 hex digits). */
function addrBytes(s: string): Uint8Array {
  if (s.includes('.')) return v4(s);
  const a = new Uint8Array(16);
  for (let i = 0; i < 16; i++) a[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return a;
}

function captureRows(rel: string): PacketRow[] {
  return readCapturePackets(new Uint8Array(readFileSync(DATA + rel))).map((p) => ({
    ts: p.tsUs, src: addrBytes(p.src), dst: addrBytes(p.dst), sport: p.sport, dport: p.dport, proto: p.proto, flags: p.flags, size: p.size, vlan: p.vlan ?? 0,
  }));
}

/** LEARN's packets shifted to end 12 s before the attack's first packet, then the attack's (as
 *  metrics.test.ts learnedRows()). */
function learnedRows(attack: string): PacketRow[] {
  const l = captureRows(LEARN);
  const a = captureRows(attack);
  const shift = Math.min(...a.map((r) => r.ts)) - 12e6 - Math.max(...l.map((r) => r.ts));
  return [...l.map((r) => ({ ...r, ts: r.ts + shift })), ...a];
}

/** A stream: the capture's bytes as they are, or packed rows (`learned`: LEARN first). */
interface Stream {
  name: string;
  learned: boolean;
  bytes: Uint8Array;
  config: Record<number, number>;
}

function streams(): Stream[] {
  const out: Stream[] = [];
  for (const f of FLOODS) {
    const name = f.rel.split('/').pop()!;
    out.push({ name, learned: false, bytes: new Uint8Array(readFileSync(DATA + f.rel)), config: { ...ONLY_METRICS } });
    if (f.learn) out.push({ name: `${LEARN.split('/').pop()} + ${name}`, learned: true, bytes: packRows(learnedRows(f.rel)), config: { ...ONLY_METRICS, ...RECORDS } });
  }
  return out;
}

const key = (dst: string) => {
  const k = new Uint8Array(abi.TRACE_KEY_BYTES);
  if (dst !== '') k.set(v4(dst), 16);
  return k;
};
const spikeEps = (r: MetricsRun, variant: number, dst: string) =>
  r.episodes.filter((e) => e.detector === abi.DET_SPIKE && e.variant === variant && e.dst === dst);
const windowStart = (tsUs: number) => Math.floor(tsUs / W_US) * W_US;

/** The SPIKE trace property: flagged => thresholds and VALUE > MEDIUM; thresholds and not flagged
 *  => VALUE <= MEDIUM; HIGH (when given) not below MEDIUM. Returns the flagged points. */
function expectSpikeSeries(trace: RefTracePoint[], what: string): RefTracePoint[] {
  const flagged: RefTracePoint[] = [];
  for (const p of trace) {
    const at = `${what} window ${p.tsUs}: ${p.size} B/s, MEDIUM ${p.std}, flags ${p.flags}`;
    if (p.flags & 2) {
      flagged.push(p);
      expect(p.flags & 1, at).toBe(1);
      expect(p.size, at).toBeGreaterThan(p.std);
    } else if (p.flags & 1) {
      expect(p.size, at).toBeLessThanOrEqual(p.std);
    } else {
      expect(p.std, at).toBeNaN();
    }
    if (p.flags & 1 && !Number.isNaN(p.z)) expect(p.z, at).toBeGreaterThanOrEqual(p.std);
  }
  return flagged;
}

/** Every episode's decisions are the trace's: the NEW alert's THRESHOLD is the MEDIUM (or HIGH)
 *  threshold of the flagged point of the window of its first packet, and the final THRESHOLD /
 *  MEAN those of a flagged point of the episode (the crossing window's when the severity did not
 *  rise). */
function expectAlertsMatch(eps: CoreEpisode[], trace: RefTracePoint[], what: string): void {
  const byStart = new Map(trace.filter((p) => p.tsUs !== 0).map((p) => [p.tsUs, p]));
  for (const e of eps) {
    const at = `${what} episode at ${e.firstUs}`;
    const p = byStart.get(windowStart(e.firstUs));
    expect(p, at).toBeDefined();
    expect(p!.flags & 2, at).toBe(2);
    expect(e.newThreshold, at).toBe(e.newSeverity === abi.SEV_HIGH ? p!.z : p!.std);
    if (e.severity === e.newSeverity) {
      expect(e.threshold, at).toBe(e.newThreshold);
      expect(e.mean, at).toBe(p!.mean);
    } else {
      const raised = trace.filter((q) => q.flags & 2 && q.tsUs >= windowStart(e.firstUs) && q.tsUs <= e.lastUs);
      expect(raised.some((q) => q.z === e.threshold && q.mean === e.mean), at).toBe(true);
    }
  }
}

describe('the SPIKE trace shows the thresholds each window was judged against', () => {
  for (const s of streams()) {
    const victim = FLOODS.find((f) => s.name.endsWith(f.rel.split('/').pop()!))!.victim;
    it(`${s.name}: the ${victim} series and the global series agree with the decisions`, async () => {
      const plain = await runMetrics(s.bytes, s.config);
      const dst = await runMetrics(s.bytes, { ...s.config, ...TRACE(abi.DET_SPIKE) }, key(victim));
      const all = await runMetrics(s.bytes, { ...s.config, ...TRACE(abi.DET_SPIKE) }, key(''));
      // Tracing changes no decision.
      expect(dst.episodes).toEqual(plain.episodes);
      expect(all.episodes).toEqual(plain.episodes);
      expect(dst.trace.length).toBeGreaterThan(0);
      expect(all.trace.length).toBe(plain.counters[abi.C_METRIC_WINDOWS]);
      const fd = expectSpikeSeries(dst.trace, victim);
      const fg = expectSpikeSeries(all.trace, 'global');
      const de = spikeEps(plain, abi.SPIKE_DST, victim);
      const ge = spikeEps(plain, abi.SPIKE_GLOBAL, '');
      expectAlertsMatch(de, dst.trace, victim);
      expectAlertsMatch(ge, all.trace, 'global');
      // A flagged point for every episode's window, none without one.
      expect(fd.length).toBeGreaterThanOrEqual(de.length);
      expect(fg.length).toBeGreaterThanOrEqual(ge.length);
      if (de.length === 0) expect(fd).toEqual([]);
      if (ge.length === 0) expect(fg).toEqual([]);
      console.log(s.name, `${victim}: ${dst.trace.length} points, ${fd.length} flagged, ${de.length} episodes;`,
        `global: ${all.trace.length} points, ${fg.length} flagged, ${ge.length} episodes`);
    });
  }

  it('DOMINATE: the last flagged window against 10.10.10.10 is over the MEDIUM threshold it crossed (the symptom), as the reference says', async () => {
    const bytes = new Uint8Array(readFileSync(DATA + DOMINATE));
    const run = await runMetrics(bytes, { ...ONLY_METRICS, ...TRACE(abi.DET_SPIKE) }, key('10.10.10.10'));
    const flagged = run.trace.filter((p) => p.flags & 2);
    expect(flagged.length).toBeGreaterThan(1);
    const last = flagged[flagged.length - 1];
    // Its own baseline's thresholds, raised to the population's MEDIUM: the flood window before it
    // joined the population when that window closed, after this one had crossed.
    expect(last.flags & 5).toBe(1);
    expect(last.size).toBeGreaterThan(last.std);
    // The same trace from the plain reference on the decoded packets.
    const rows = captureRows(DOMINATE);
    const core = await runMetrics(packRows(rows), { ...ONLY_METRICS, ...RECORDS, ...metricsConfigIds(DEFAULT_METRICS) }, key('10.10.10.10'));
    expect(core.trace.length).toBe(0); // no trace without CFG_TRACE_ENABLED
    const traced = await runMetrics(packRows(rows), { ...ONLY_METRICS, ...RECORDS, ...metricsConfigIds(DEFAULT_METRICS), ...TRACE(abi.DET_SPIKE) },
      key('10.10.10.10'));
    expect(traced.trace).toEqual(referenceMetrics(metricPackets(rows), DEFAULT_METRICS, '10.10.10.10').trace);
    console.log('DOMINATE 10.10.10.10 flagged windows:', flagged.map((p) => `${Math.round(p.size)} B/s > ${Math.round(p.std)}`).join('; '));
  });
});

/** A run with learned baselines loaded (RuleInputs.baselines; "learn here, detect there"):
 *  the SPIKE episodes (as runMetrics folds them) and the trace; `baselines` out: the export. */
async function runLoaded(bytes: Uint8Array, config: Record<number, number>, baselines: Uint8Array, traceKey?: Uint8Array) {
  const engine = await newEngine();
  const byId = new Map<number, CoreEpisode>();
  const trace: RefTracePoint[] = [];
  if (traceKey) engine.setTraceKey(traceKey);
  engine.start({ [abi.CFG_SEED]: 12345, ...ONLY_METRICS, ...config }, (out) => {
    for (let i = 0; i < out.alertCount; i++) {
      const a = readAlert(out.alerts, i * abi.ALERT_STRIDE);
      if (a.detector !== abi.DET_SPIKE) continue;
      const e = byId.get(a.episode);
      const zero = a.dst.every((x) => x === 0);
      const row = {
        variant: a.variant, dst: zero ? '' : addrText(a.dst), firstUs: a.tsUs, lastUs: a.lastUs, threshold: a.threshold, mean: a.mean,
        severity: a.severity,
      };
      if (e) Object.assign(e, row);
      else byId.set(a.episode, { ...row, detector: a.detector, newThreshold: a.threshold, newSeverity: a.severity } as CoreEpisode);
    }
    for (let i = 0; i < out.traceCount; i++) trace.push(readTracePoint(out.trace, i));
  }, { baselines });
  engine.feed(bytes);
  engine.finish();
  return { episodes: [...byId.values()], trace, exported: engine.exportBaselines(), counters: engine.counters() };
}

describe('the SPIKE trace with baselines learnt from evgenii_no_flood loaded (exported and imported)', () => {
  for (const f of FLOODS) {
    const name = f.rel.split('/').pop()!;
    for (const frozen of [0, 1]) {
      it(`${name}${frozen ? ' (frozen baselines)' : ''}: the ${f.victim} series and the global series agree with the decisions`, async () => {
        const learnt = (await runLoaded(new Uint8Array(readFileSync(DATA + LEARN)), {}, new Uint8Array(0))).exported;
        expect(learnt.length).toBeGreaterThan(0);
        const bytes = new Uint8Array(readFileSync(DATA + f.rel));
        const cfg = { [abi.CFG_BASELINE_FROZEN]: frozen, ...TRACE(abi.DET_SPIKE) };
        const dst = await runLoaded(bytes, cfg, learnt, key(f.victim));
        const all = await runLoaded(bytes, cfg, learnt, key(''));
        expect(all.episodes).toEqual(dst.episodes);
        expect(all.trace.length).toBe(all.counters[abi.C_METRIC_WINDOWS]);
        expectSpikeSeries(dst.trace, f.victim);
        expectSpikeSeries(all.trace, 'global');
        const de = dst.episodes.filter((e) => e.variant === abi.SPIKE_DST && e.dst === f.victim);
        expectAlertsMatch(de, dst.trace, f.victim);
        expectAlertsMatch(dst.episodes.filter((e) => e.variant === abi.SPIKE_GLOBAL), all.trace, 'global');
        expect(dst.trace.filter((p) => p.flags & 2).length).toBeGreaterThanOrEqual(de.length);
      });
    }
  }

  it('a traced destination that is one of the loaded baselines: its first window uses its loaded thresholds', async () => {
    const learnt = (await runLoaded(new Uint8Array(readFileSync(DATA + LEARN)), {}, new Uint8Array(0))).exported;
    // The busiest destination of evgenii_syn_flood with a loaded baseline (the same lab LAN).
    const loaded = new Set<string>();
    for (let o = 0; o < learnt.length; o += abi.BLREC_STRIDE) {
      if (learnt[o + abi.BLREC_KIND] === abi.BLREC_SPIKE_DST) loaded.add(addrText(learnt.subarray(o + abi.BLREC_ADDR, o + abi.BLREC_ADDR + 16)));
    }
    const counts = new Map<string, number>();
    for (const p of readCapturePackets(new Uint8Array(readFileSync(DATA + SF + 'evgenii_syn_flood.pcap')))) {
      if (loaded.has(p.dst)) counts.set(p.dst, (counts.get(p.dst) ?? 0) + 1);
    }
    const host = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    expect(host).toBeDefined();
    const bytes = new Uint8Array(readFileSync(DATA + SF + 'evgenii_syn_flood.pcap'));
    const run = await runLoaded(bytes, TRACE(abi.DET_SPIKE), learnt, key(host!));
    expect(run.trace.length).toBeGreaterThan(0);
    expect(run.trace[0].flags & 5).toBe(1); // its own (loaded) baseline, no warm-up
    expectSpikeSeries(run.trace, host!);
  });
});

describe('the PROTOSHIFT trace: a row is flagged exactly when its window was judged and shifted', () => {
  const P = DEFAULT_METRICS.shiftPoints;
  for (const s of streams()) {
    it(`${s.name}: every row against its baseline share before the window`, async () => {
      const plain = await runMetrics(s.bytes, s.config);
      const run = await runMetrics(s.bytes, { ...s.config, ...TRACE(abi.DET_PROTOSHIFT) }, key(''));
      expect(run.episodes).toEqual(plain.episodes);
      expect(run.trace.length).toBeGreaterThanOrEqual(5 * plain.counters[abi.C_METRIC_WINDOWS]);
      let judged = 0;
      for (const p of run.trace) {
        const packets = p.z;
        const count = Math.round(p.size * packets);
        const share = (100 * count) / packets;
        const mean = p.mean * 100;
        const isJudged = packets >= DEFAULT_METRICS.shiftMinPackets && !Number.isNaN(p.mean);
        const at = `window ${p.tsUs} row ${p.flags >> 8}/${p.recordIndex}: ${share}% vs ${mean}%, ${packets} packets`;
        if (isJudged) judged++;
        expect((p.flags & 2) !== 0, at).toBe(isJudged && share - mean > P);
      }
      const rows = plain.episodes.filter((e) => e.detector === abi.DET_PROTOSHIFT);
      expect(run.trace.filter((p) => p.flags & 2).length).toBeGreaterThanOrEqual(rows.length);
      // Alone, most of these captures are shorter than the warm-up (CFG_BASELINE_WARMUP windows) plus
      // a window of 100 packets: nothing judged. After LEARN there always is.
      if (s.learned) expect(judged).toBeGreaterThan(0);
      console.log(s.name, `PROTOSHIFT: ${run.trace.length} rows, ${judged} judged, ${run.trace.filter((p) => p.flags & 2).length} flagged`);
    });
  }
});
