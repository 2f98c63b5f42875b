// Decodes the PROTOSHIFT trace (CFG_TRACE_DETECTOR = DET_PROTOSHIFT, assembly/detect/metrics.ts)
// into per-window protocol shares for the stacked-shares chart. The core writes, per closed metric
// window, one trace point per protocol class (5) and one per tracked service with a share or a
// baseline: TRACE_TS_US = the window start (µs), TRACE_SIZE = the row's share of the window's
// packets (0..1), TRACE_MEAN / TRACE_STD = the baseline share before the window and its std (NaN in
// warm-up), TRACE_Z = the window's packets, TRACE_FLAGS bit 1 = this row flagged in this window,
// bits 8-15 = row kind (0..4 the classes TCP, UDP, ICMP, ICMPv6, other; 5 a service, whose
// (IP protocol << 16 | port) is in TRACE_RECORD_INDEX). Pure: no engine, no DOM.
import * as abi from '../shared/abi';
import type { ProtocolShareSeries, ShareRow } from '../shared/protocol';

/** Protocol class names by class index (abi PROTOSHIFT_PROTO's AUX). */
export const CLASS_LABELS = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'other'] as const;
/** Row kind of a service point (TRACE_FLAGS bits 8-15). */
export const KIND_SERVICE = 5;

/** The raw trace points, as ChannelSeries carries them. */
export interface SharePoints {
  tsUs: ArrayLike<number>;
  size: ArrayLike<number>;
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
  z: ArrayLike<number>;
  flags: ArrayLike<number>;
  recordIndex: ArrayLike<number>;
}

/** "TCP/443", "UDP/53", "proto 132/9899" for a service id (IP protocol << 16 | port). */
export function serviceLabel(id: number): string {
  const proto = id >>> 16;
  const port = id & 0xffff;
  const name = proto === 6 ? 'TCP' : proto === 17 ? 'UDP' : `proto ${proto}`;
  return `${name}/${port}`;
}

/**
 * Groups the points by window start (any order; windows come out ascending) and by row: the five
 * classes first (always present, in class order), then the services by (protocol, port). A row
 * without a point in a window has share 0 and baseline NaN there. `packets` of a window is the
 * largest TRACE_Z of its points. With `truncated`, the last window may be cut short and is
 * dropped. Throws on a point with an unknown row kind (naming the point's index).
 */
export function decodeProtocolShares(p: SharePoints, windowS: number, truncated: boolean): ProtocolShareSeries {
  const n = p.tsUs.length;
  const windowIndex = new Map<number, number>();
  const starts: number[] = [];
  const serviceIds = new Set<number>();
  for (let i = 0; i < n; i++) {
    const kind = (p.flags[i] >>> 8) & 0xff;
    if (kind > KIND_SERVICE) throw new Error(`PROTOSHIFT trace point ${i}: unknown row kind ${kind} (0..4 classes, 5 a service)`);
    if (kind === KIND_SERVICE) serviceIds.add(p.recordIndex[i] >>> 0);
    const t = p.tsUs[i];
    if (!windowIndex.has(t)) {
      windowIndex.set(t, -1);
      starts.push(t);
    }
  }
  starts.sort((a, b) => a - b);
  if (truncated && starts.length > 0) starts.pop();
  starts.forEach((t, w) => windowIndex.set(t, w));
  for (const [t, w] of windowIndex) if (w < 0) windowIndex.delete(t);

  const services = [...serviceIds].sort((a, b) => a - b);
  const rows: ShareRow[] = [
    ...CLASS_LABELS.map((label, c) => ({ label, classIndex: c, proto: 0, port: 0 })),
    ...services.map((id) => ({ label: serviceLabel(id), classIndex: -1, proto: id >>> 16, port: id & 0xffff })),
  ];
  const rowOfService = new Map(services.map((id, k) => [id, CLASS_LABELS.length + k]));
  const W = starts.length;
  const shares = rows.map(() => new Float64Array(W));
  const baseline = rows.map(() => new Float64Array(W).fill(NaN));
  const std = rows.map(() => new Float64Array(W).fill(NaN));
  const flagged = rows.map(() => new Uint8Array(W));
  const packets = new Float64Array(W);
  for (let i = 0; i < n; i++) {
    const w = windowIndex.get(p.tsUs[i]);
    if (w === undefined) continue;
    const kind = (p.flags[i] >>> 8) & 0xff;
    const r = kind === KIND_SERVICE ? rowOfService.get(p.recordIndex[i] >>> 0)! : kind;
    shares[r][w] = p.size[i];
    baseline[r][w] = p.mean[i];
    std[r][w] = p.std[i];
    flagged[r][w] = (p.flags[i] >>> 1) & 1;
    if (p.z[i] > packets[w]) packets[w] = p.z[i];
  }
  return { tsUs: Float64Array.from(starts), packets, rows, shares, baseline, std, flagged, windowS, truncated };
}

/** The row of `s` a PROTOSHIFT alert names: variant PROTOSHIFT_PROTO with the class in `aux`, or
 *  PROTOSHIFT_SERVICE with (IP protocol << 16 | port) in `aux`. -1 when the series has no such row. */
export function shareRowIndex(s: ProtocolShareSeries, variant: number, aux: number): number {
  if (variant === abi.PROTOSHIFT_PROTO) return Number.isInteger(aux) && aux >= 0 && aux < CLASS_LABELS.length ? aux : -1;
  if (variant === abi.PROTOSHIFT_SERVICE) {
    const proto = Math.floor(aux / 65536);
    const port = aux % 65536;
    return s.rows.findIndex((r) => r.classIndex < 0 && r.proto === proto && r.port === port);
  }
  return -1;
}
