// The CLI's stderr summary: counts, skipped records by reason, time span, throughput, alerts by
// detector (with the rate limiter's suppressed counts and evidence packets) and by severity, the
// baseline applied and the PROFILE run (scored connections, levels, warm-up), late packets and
// flow windows; and, for `flowlens learn`, what the written baseline holds. Plain text, one fact
// per line, so that scripts can grep it.
import { DETECTOR_NAMES, type AnalysisOptions, type AnalysisResult } from '../shared/protocol';
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM } from '../shared/abi';
import { isoUs } from '../io/alert-rows';
import { baselineFileFromJson, describeBaseline, utf8Bytes } from '../ml/baseline-file';
import { coreBaselineCounts } from '../worker/core-baselines';

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
  lines.push(severityLine(result));
  if (result.baseline) {
    const b = result.baseline;
    lines.push(
      `baseline applied: learnt ${b.createdAt} from ${b.sourceFile}: ${n(b.connections)} connections, ${n(b.sources)} sources (${n(b.profiled)} profiled); ` +
        `window baselines: ${n(b.spikeDestinations)} destinations, ${n(b.latencyServers)} latency servers, ${n(b.longconnServices)} long-connection services`,
    );
  }
  const p = result.profile;
  if (p) {
    const lv = p.byLevel;
    lines.push(
      `profile: ${p.mode === 'baseline' ? 'against the applied baseline' : `learnt from the warm-up (${n(p.learnt)} connections)`}, ${n(p.scored)} connections scored` +
        `${p.connsDropped ? ` (${n(p.connsDropped)} beyond connRecords.max not scored)` : ''}; alerts by level: CRITICAL ${n(lv.CRITICAL)}, HIGH ${n(lv.HIGH)}, MEDIUM ${n(lv.MEDIUM)}, LOW ${n(lv.LOW)}`,
    );
    if (p.warmupEndUs !== undefined) {
      const dropped = Object.entries(p.droppedInWarmup ?? {}).map(([k, v]) => `${k} ${n(v)}`).join(', ');
      lines.push(`warm-up: until ${isoUs(p.warmupEndUs)}; alerts inside it dropped: ${dropped}`);
    }
    if (p.skipped) lines.push(`profile skipped: ${p.skipped}`);
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

/** Kept alerts by severity (a PROFILE CRITICAL is stored as high and also counted apart). */
function severityLine(result: AnalysisResult): string {
  const a = result.alerts;
  let high = 0;
  let medium = 0;
  let low = 0;
  let critical = 0;
  for (let i = 0; i < a.count; i++) {
    const sev = a.severity[i];
    if (sev === SEV_HIGH) high++;
    else if (sev === SEV_MEDIUM) medium++;
    else if (sev === SEV_LOW) low++;
    if (DETECTOR_NAMES[a.detector[i]] === 'PROFILE' && a.variant[i] === 4) critical++;
  }
  return `severity (kept alerts): high ${n(high)}${critical ? ` (${n(critical)} of them PROFILE CRITICAL)` : ''}, medium ${n(medium)}, low ${n(low)}`;
}

/** What `flowlens learn` wrote: the file, the model's counts and the core's window baselines. */
export function formatLearnSummary(result: AnalysisResult, outPath: string, options: AnalysisOptions): string {
  const text = result.learnedBaseline ?? '';
  const file = baselineFileFromJson(text, options);
  const b = describeBaseline(file, utf8Bytes(text));
  const c = coreBaselineCounts(file.coreRecords);
  const s = result.summary;
  return [
    `learnt: ${outPath} (${n(b.sizeBytes ?? 0)} bytes) from ${s.fileName}: ${n(s.packetsDecoded)} packets, ${isoUs(s.tsFirstUs)} -> ${isoUs(s.tsLastUs)}`,
    `profiles: ${n(b.connections)} connections, ${n(b.sources)} sources, ${n(b.profiled)} profiled (${n(file.model.counts.profiledEnough)} with at least ${file.model.options.minConnections} connections)`,
    `forest: ${file.model.options.trees} trees, sub-samples of ${Math.min(file.model.options.sampleSize, b.connections)}, seed ${file.model.options.seed}`,
    `window baselines: SPIKE ${n(c.spikeGlobal)} global + ${n(c.spikeDestinations)} destinations, PROTOSHIFT ${n(c.protocolClasses)} classes + ${n(c.services)} services, LATENCY ${n(c.latencyServers)} servers, LONGCONN ${n(c.longconnServices)} services`,
    ...(s.connsDropped ? [`warning: ${n(s.connsDropped)} connections beyond connRecords.max were not learnt`] : []),
  ].join('\n');
}
