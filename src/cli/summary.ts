// The CLI's stderr summary: counts, skipped records by reason, time span, throughput, alerts.
// Plain text, one fact per line, so that scripts can grep it.
import type { AnalysisResult } from '../shared/protocol';

const n = (v: number) => Math.round(v).toLocaleString('en-US');

function isoUs(tsUs: number): string {
  if (!Number.isFinite(tsUs)) return '-';
  const ms = Math.floor(tsUs / 1000);
  const us = Math.round(tsUs - ms * 1000);
  return new Date(ms).toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`);
}

/** Formats the summary of `result` as text lines. */
export function formatSummary(result: AnalysisResult): string {
  const s = result.summary;
  const sk = s.skipped;
  const skippedTotal = sk.truncated + sk.unsupportedLink + sk.notIp + sk.badHeader + sk.badRow;
  const lines = [
    `file: ${s.fileName} (${n(s.fileBytes)} bytes${s.gzip ? ', gzip' : ''}, ${s.format}${s.linktype >= 0 ? `, link type ${s.linktype}` : ''})`,
    `records: ${n(s.recordsRead)} read, ${n(s.packetsDecoded)} decoded, ${n(skippedTotal)} skipped`,
    `skipped: truncated ${n(sk.truncated)}, unsupported link type ${n(sk.unsupportedLink)}, not IP ${n(sk.notIp)}, bad header ${n(sk.badHeader)}, bad row ${n(sk.badRow)}`,
    `bytes: ${n(s.bytesDecoded)} in decoded packets`,
    `flows: ${n(s.flows)} (${n(s.flowsExpired)} expired idle, ${n(s.flowsEvictedFull)} evicted when full); channels: ${n(s.channels)} (${n(s.channelsEvictedFull)} evicted when full)`,
    `time: ${isoUs(s.tsFirstUs)} -> ${isoUs(s.tsLastUs)} (${Number.isFinite(s.tsFirstUs) ? ((s.tsLastUs - s.tsFirstUs) / 1e6).toFixed(3) : '0'} s), ${n(s.outOfOrder)} out of order`,
    `alerts: ${n(s.alerts)} flagged${s.alertsDropped ? ` (${n(s.alertsDropped)} beyond --max-alerts not printed)` : ''}`,
    `speed: ${n(s.packetsPerS)} packets/s, ${s.mbPerS.toFixed(1)} MB/s, ${s.elapsedMs.toFixed(0)} ms`,
  ];
  if (result.cancelled) lines.push('cancelled: partial result');
  for (const w of result.warnings.slice(0, 20)) lines.push(`warning: ${w.line ? `line ${w.line}: ` : ''}${w.message}`);
  if (result.warnings.length > 20) lines.push(`warning: ... ${result.warnings.length - 20} more`);
  return lines.join('\n');
}
