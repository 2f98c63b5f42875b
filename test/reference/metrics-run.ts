// Test helper for the metric detectors (SPIKE, PROTOSHIFT): runs packets through a fresh core and
// decodes their alerts (folded into one row per episode), SPIKE marks and trace points, and turns
// packet rows into the reference's MetricPackets (orig from the flow view of scan-rules.ts).
import * as abi from '../../src/shared/abi';
import { newEngine, readAlert, readTracePoint } from '../helpers/core';
import { packRows, type PacketRow } from '../helpers/records';
import { flowMarks } from './scan-rules';
import { addrText } from './scan-core';
import type { MetricPacket, RefEpisode, RefTracePoint } from './metrics';

/** Every other detector off (nothing else in the way, and faster). */
export const ONLY_METRICS: Record<number, number> = {
  [abi.CFG_ZSCORE_ENABLED]: 0,
  [abi.CFG_BLACKLIST_ENABLED]: 0,
  [abi.CFG_LARGESIZE_ENABLED]: 0,
  [abi.CFG_UNUSUAL_ENABLED]: 0,
  [abi.CFG_FLOWWIN_ENABLED]: 0,
  [abi.CFG_PORTSCAN_ENABLED]: 0,
  [abi.CFG_PORTSCAN_SYN_ENABLED]: 0,
  [abi.CFG_ADDRSCAN_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_SLOW_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0,
};

/** An episode of the core in the reference's shape, plus what only the core has. */
export type CoreEpisode = RefEpisode & { episode: number; closed: boolean; kinds: number[]; newThreshold: number; newSeverity: number };

export interface MetricsRun {
  counters: Float64Array;
  episodes: CoreEpisode[];
  /** Record indices of the packets with a SPIKE mark. */
  spikeMarks: Set<number>;
  trace: RefTracePoint[];
  /** Alert records in output order: [episode, kind]. */
  order: [number, number][];
}

/** Runs `bytes` (a capture, or packed records with FORMAT_RECORDS in `config`). */
export async function runMetrics(bytes: Uint8Array, config: Record<number, number>, traceKey?: Uint8Array, chunk = 1 << 16): Promise<MetricsRun> {
  const engine = await newEngine();
  const byId = new Map<number, CoreEpisode>();
  const spikeMarks = new Set<number>();
  const trace: RefTracePoint[] = [];
  const order: [number, number][] = [];
  if (traceKey) engine.setTraceKey(traceKey);
  engine.start({ [abi.CFG_SEED]: 12345, [abi.CFG_MARKS_ENABLED]: 1, ...config }, (out) => {
    for (let i = 0; i < out.alertCount; i++) {
      const a = readAlert(out.alerts, i * abi.ALERT_STRIDE);
      if (a.detector !== abi.DET_SPIKE && a.detector !== abi.DET_PROTOSHIFT) continue;
      order.push([a.episode, a.kind]);
      const zero = a.dst.every((x) => x === 0);
      const row: CoreEpisode = {
        detector: a.detector, variant: a.variant, dst: zero ? '' : addrText(a.dst), src: a.src.every((x) => x === 0) ? '' : addrText(a.src),
        firstUs: a.tsUs, lastUs: a.lastUs, firstIndex: a.recordIndex, sport: a.sport, dport: a.dport, label: a.protoLabel, size: a.size,
        value: a.value, newValue: a.value, threshold: a.threshold, mean: a.mean, std: a.std, samples: a.samples, severity: a.severity,
        score: a.score, count: a.count, peakRate: a.peakRate, aux: a.aux, windowS: a.windowS, episode: a.episode, closed: false, kinds: [a.kind],
        newThreshold: a.threshold, newSeverity: a.severity,
      };
      const e = byId.get(a.episode);
      if (a.kind === abi.ALERT_KIND_NEW) {
        if (e) throw new Error(`episode ${a.episode}: second NEW`);
        byId.set(a.episode, row);
      } else {
        if (!e) throw new Error(`episode ${a.episode}: UPDATE before NEW`);
        if (e.closed) throw new Error(`episode ${a.episode}: second UPDATE`);
        Object.assign(e, row, { newValue: e.newValue, newThreshold: e.newThreshold, newSeverity: e.newSeverity, closed: true, kinds: [...e.kinds, a.kind] });
      }
    }
    for (let i = 0; i < out.markCount; i++) {
      const o = i * abi.MARK_STRIDE;
      if (out.marks.getUint32(o + abi.MARK_REASONS, true) & (1 << abi.DET_SPIKE)) spikeMarks.add(out.marks.getUint32(o + abi.MARK_RECORD_INDEX, true));
    }
    for (let i = 0; i < out.traceCount; i++) trace.push(readTracePoint(out.trace, i));
  });
  for (let p = 0; p < bytes.length && engine.fatal === null; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  engine.finish();
  return { counters: engine.counters(), episodes: [...byId.values()].sort((a, b) => a.episode - b.episode), spikeMarks, trace, order };
}

/** Packet rows as the reference's packets (record index = row index; orig from the flow view). */
export function metricPackets(rows: PacketRow[]): MetricPacket[] {
  const ref = rows.map((r, i) => ({
    tsUs: r.ts, src: addrText(r.src), dst: addrText(r.dst), sport: r.sport ?? 0, dport: r.dport ?? 0, proto: r.proto ?? 6, flags: r.flags ?? 0,
    vlan: r.vlan ?? 0, index: i,
  }));
  const fm = flowMarks(ref);
  return ref.map((p, i) => ({
    tsUs: p.tsUs, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, proto: p.proto, size: rows[i].size ?? 60, orig: fm[i].orig,
    index: i, label: rows[i].label ?? p.proto,
  }));
}

export { packRows };
