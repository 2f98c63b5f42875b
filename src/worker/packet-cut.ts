// The worker side of "export packets" (issue #5): which records of the analysed capture belong to
// the chosen alerts, and the new capture cut from it (src/io/pcap-cut.ts). The service
// (./service.ts cutPackets) gives the file and a re-read of it with the core's packet marks; this
// module picks the record indexes exactly as the CLI does (`--pcap-out F` and `--pcap-alert N`,
// src/cli/main.ts writePcapCut) and streams the file (gunzipped through DecompressionStream when
// the analysis read gzip) through cutCapture(). No DOM, no WASM: runs in the worker and in Node.
import { alertPacketIndexes, cutCapture, cutIndexes, PcapCutError } from '../io/pcap-cut';
import type { AnalysisResult } from '../shared/protocol';
import type { CutPackets, CutPacketsRequest } from './api';

/**
 * The record indexes (0-based, sorted, unique) of `request` in `result` (an analysis run with
 * collectMarks): `{alerts}` the union of alertPacketIndexes() of each alert index; `{allAlerts}`
 * cutIndexes() (every marked packet and every printed alert's first evidence packet). Throws a
 * PcapCutError for an alert index outside the result or an empty list.
 */
export function cutRecordIndexes(result: AnalysisResult, request: CutPacketsRequest): number[] {
  if ('allAlerts' in request) return cutIndexes(result, request.includeSuppressed ?? false);
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
 * Cuts `request`'s packets out of `file`: `reread()` analyses it again with collectMarks (same
 * options and seed as the shown result, so alert indices agree). Resolves with the new capture in
 * one buffer (input format; gzip input gives an uncompressed capture). Rejects with a PcapCutError
 * for input that is not pcap/pcapng, a bad alert index or a malformed capture.
 */
export async function cutPacketsOf(request: CutPacketsRequest, file: Blob, reread: () => Promise<AnalysisResult>): Promise<CutPackets> {
  const result = await reread();
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
