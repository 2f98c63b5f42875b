// The CLI's stderr summary: counts, skipped records by reason, time span, throughput, alerts by
// detector (with the rate limiter's suppressed counts and evidence packets), late packets and
// flow windows. Plain text, one fact per line, so that scripts can grep it.
import { DETECTOR_NAMES, type AnalysisResult } from '../shared/protocol';
import { isoUs } from '../io/alert-rows';

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** Formats the summary of `result` as text lines. */
export function formatSummary(result: AnalysisResult): string {
  const s = result.summary;
  const sk = s.skipped;
  const skippedTotal = sk.truncated + sk.unsupportedLink + sk.notIp + sk.badHeader + sk.badRow;
  const byDetector = s.byDetector ?? {};
  let suppressed = 0;
  for (const c of Object.values(byDetector)) suppressed += c.suppressed;
  const lines = [
    `file: ${s.fileName} (${n(s.fileBytes)} bytes${s.gzip ? ', gzip' : ''}, ${s.format}${s.linktype >= 0 ? `, link type ${s.linktype}` : ''})`,
    `records: ${n(s.recordsRead)} read, ${n(s.packetsDecoded)} decoded, ${n(skippedTotal)} skipped`,
    `skipped: truncated ${n(sk.truncated)}, unsupported link type ${n(sk.unsupportedLink)}, not IP ${n(sk.notIp)}, bad header ${n(sk.badHeader)}, bad row ${n(sk.badRow)}`,
    `bytes: ${n(s.bytesDecoded)} in decoded packets`,
    `flows: ${n(s.flows)} (${n(s.flowsExpired)} expired idle, ${n(s.flowsEvictedFull)} evicted when full); channels: ${n(s.channels)} (${n(s.channelsEvictedFull)} evicted when full)`,
    `time: ${isoUs(s.tsFirstUs)} -> ${isoUs(s.tsLastUs)} (${Number.isFinite(s.tsFirstUs) ? ((s.tsLastUs - s.tsFirstUs) / 1e6).toFixed(3) : '0'} s), ${n(s.outOfOrder)} out of order, ${n(s.latePackets ?? 0)} late (beyond the lateness bound)`,
    `alerts: ${n(s.alerts)} raised${suppressed ? `, ${n(suppressed)} suppressed by the rate limit (printed only with --include-suppressed)` : ''}${s.alertsDropped ? ` (${n(s.alertsDropped)} beyond --max-alerts not kept)` : ''}`,
  ];
  for (const name of DETECTOR_NAMES) {
    const c = name ? byDetector[name] : undefined;
    if (!c || (c.alerts === 0 && c.evidencePackets === 0)) continue;
    lines.push(`  ${name}: ${n(c.alerts)} alert${c.alerts === 1 ? '' : 's'}, ${n(c.suppressed)} suppressed, ${n(c.evidencePackets)} evidence packet${c.evidencePackets === 1 ? '' : 's'}`);
  }
  lines.push(`flow windows: ${n(s.flowWindows ?? 0)} judged by the flow rules; blacklist: ${n(s.blacklistRanges ?? 0)} ranges`);
  lines.push(
    `tcp: ${n(s.tcpDataSegments ?? 0)} data segments, ${n(s.tcpRetransmissions ?? 0)} retransmitted; ${n(s.latencySamples ?? 0)} latency samples; ` +
      `connections: ${n(s.conns ?? 0)} records${s.connsDropped ? ` (${n(s.connsDropped)} beyond connRecords.max not kept)` : ''}`,
  );
  lines.push(`speed: ${n(s.packetsPerS)} packets/s, ${s.mbPerS.toFixed(1)} MB/s, ${s.elapsedMs.toFixed(0)} ms`);
  if (result.cancelled) lines.push('cancelled: partial result');
  for (const w of result.warnings.slice(0, 20)) {
    // Row problems already start with "line N:" (src/io/row-fields.ts); do not say it twice.
    const prefix = w.line && !w.message.startsWith(`line ${w.line}:`) ? `line ${w.line}: ` : '';
    lines.push(`warning: ${prefix}${w.message}`);
  }
  if (result.warnings.length > 20) lines.push(`warning: ... ${result.warnings.length - 20} more`);
  return lines.join('\n');
}
