// The worker side of "export packets" (issue #5): which records of the analysed capture belong to
// the chosen alerts, and the new capture cut from it (src/io/pcap-cut.ts). The service
// (./service.ts cutPackets) gives the file and a re-read of it with the core's packet marks; this
// module picks the record indexes exactly as the CLI does (`--pcap-out F` and `--pcap-alert N`,
// src/cli/main.ts writePcapCut) and streams the file (gunzipped through DecompressionStream when
// the analysis read gzip) through cutCapture(). No DOM, no WASM: runs in the worker and in Node.
import { alertPacketIndexes, cutCapture, cutIndexes, PcapCutError } from '../io/pcap-cut';
import { NameTable } from '../io/names';
import { MARK_DPORT, MARK_DST, MARK_PROTO, MARK_RECORD_INDEX, MARK_SPORT, MARK_SRC, MARK_STRIDE, MARK_TS_US } from '../shared/abi';
import type { AnalysisOptions, AnalysisResult } from '../shared/protocol';
import type { CutPackets, CutPacketsRequest, FlowKey } from './api';

/** Flows cuts refuse captures with more decoded packets than this (every packet gets a 64-byte
 *  mark in memory: 256 MB). */
export const MAX_FLOW_CUT_PACKETS = 4_000_000;

/** `o` with LARGESIZE over 0 bytes: the core then marks every decoded packet (its time, ends,
 *  ports, protocol and record index), which the flows cut matches against the flows. */
export function markEveryPacket(o: AnalysisOptions): AnalysisOptions {
  return { ...o, rules: { ...o.rules, largesize: { enabled: true, bytes: 0 } } };
}

const isIcmp = (p: number) => p === 1 || p === 58;
const flowKeyText = (proto: number, a: string, pa: number, b: string, pb: number) =>
  isIcmp(proto) ? `${proto}|${[a, b].sort().join('|')}` : `${proto}|${[`${a}|${pa}`, `${b}|${pb}`].sort().join('|')}`;

/**
 * The record indexes (sorted, unique) of every packet of `flows` in `everyPacket` (an analysis
 * whose marks hold every decoded packet: markEveryPacket + collectMarks): a mark belongs to a flow
 * when its protocol, its two ends and ports (either direction; ICMP/ICMPv6: the ends only) are the
 * flow's and its time lies in [fromUs, toUs].
 */
export function flowRecordIndexes(everyPacket: AnalysisResult, flows: readonly FlowKey[]): number[] {
  const spans = new Map<string, [number, number][]>();
  for (const f of flows) {
    const k = flowKeyText(f.proto, f.src, f.sport, f.dst, f.dport);
    const list = spans.get(k) ?? [];
    list.push([f.fromUs, f.toUs]);
    spans.set(k, list);
  }
  const m = everyPacket.marks;
  if (!m || spans.size === 0) return [];
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const names = new NameTable();
  const out = new Set<number>();
  for (let b = 0; b + MARK_STRIDE <= m.length; b += MARK_STRIDE) {
    const proto = v.getUint8(b + MARK_PROTO);
    const src = names.formatAddress(m.subarray(b + MARK_SRC, b + MARK_SRC + 16));
    const dst = names.formatAddress(m.subarray(b + MARK_DST, b + MARK_DST + 16));
    const list = spans.get(flowKeyText(proto, src, v.getUint16(b + MARK_SPORT, true), dst, v.getUint16(b + MARK_DPORT, true)));
    if (!list) continue;
    const ts = Number(v.getBigInt64(b + MARK_TS_US, true));
    if (list.some(([from, to]) => ts >= from && ts <= to)) out.add(v.getUint32(b + MARK_RECORD_INDEX, true));
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * The record indexes (0-based, sorted, unique) of `request` in `result` (an analysis run with
 * collectMarks; for `{flows}` with markEveryPacket): `{flows}` flowRecordIndexes(); `{alerts}` the union of alertPacketIndexes() of each alert index; `{allAlerts}`
 * cutIndexes() (every marked packet and every printed alert's first evidence packet). Throws a
 * PcapCutError for an alert index outside the result or an empty list.
 */
export function cutRecordIndexes(result: AnalysisResult, request: CutPacketsRequest): number[] {
  if ('allAlerts' in request) return cutIndexes(result, request.includeSuppressed ?? false);
  if ('flows' in request) {
    if (request.flows.length === 0) throw new PcapCutError('no flow chosen');
    return flowRecordIndexes(result, request.flows);
  }
  if (request.alerts.length === 0) throw new PcapCutError('no alert chosen');
  const set = new Set<number>();
  for (const i of request.alerts) {
    if (!Number.isInteger(i) || i < 0 || i >= result.alerts.count) {
      throw new PcapCutError(`alert ${i} does not exist (the result has ${result.alerts.count})`);
    }
    for (const r of alertPacketIndexes(result, i)) set.add(r);
  }
  return [...set].sort((a, b) => a - b);
}

/** The content the core read: the file, or its gunzipped stream for gzip input. */
export function contentOf(file: Blob, gzip: boolean): ReadableStream<Uint8Array> {
  const raw = file.stream() as ReadableStream<Uint8Array>;
  return gzip ? raw.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : raw;
}

/**
 * Cuts `request`'s packets out of `file`: `reread(everyPacket)` analyses it again with
 * collectMarks (same options and seed as the shown result, so alert indices agree; for `{flows}`
 * everyPacket is true: with markEveryPacket(options)). Resolves with the new capture in
 * one buffer (input format; gzip input gives an uncompressed capture). Rejects with a PcapCutError
 * for input that is not pcap/pcapng, a bad alert index or a malformed capture.
 */
export async function cutPacketsOf(
  request: CutPacketsRequest,
  file: Blob,
  reread: (everyPacket: boolean) => Promise<AnalysisResult>,
): Promise<CutPackets> {
  const flows = 'flows' in request;
  if (flows && request.flows.length === 0) throw new PcapCutError('no flow chosen');
  const result = await reread(flows);
  if (flows && result.summary.packetsDecoded > MAX_FLOW_CUT_PACKETS) {
    throw new PcapCutError(`the capture has ${result.summary.packetsDecoded} packets; flows are cut from at most ${MAX_FLOW_CUT_PACKETS}`);
  }
  const s = result.summary;
  if (s.format !== 'pcap' && s.format !== 'pcapng') throw new PcapCutError(`only pcap and pcapng captures can be cut; this input is ${s.format}`);
  if (!result.marks) throw new PcapCutError('the re-read returned no packet marks');
  const indexes = cutRecordIndexes(result, request);
  const chunks: Uint8Array[] = [];
  const res = await cutCapture(contentOf(file, s.gzip), s.format, indexes, (b) => {
    chunks.push(b);
  });
  const bytes = new Uint8Array(res.bytes);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, format: s.format, records: res.records };
}
