// The summary panel: what was read (file, format, packets, bytes, flows, time span in UTC) and
// every skipped-record counter, zeros included, plus throughput; the alerts by detector and
// severity with the rate limiter's suppressed counts, late packets, flow windows and blacklist
// ranges; the baseline the analysis was judged against (its name, the capture it was learnt from,
// what it holds) when one was applied. Renders a finished (or partial) AnalysisResult; the only
// thing it computes is the severity split (LOW, MEDIUM, HIGH and, for PROFILE's threat levels,
// CRITICAL: a PROFILE alert of variant 4, src/worker/profile.ts, whose severity column says HIGH),
// counted over the kept alert columns.
import type { AnalysisResult, ProfileResult } from '../shared/protocol';
import { DETECTOR_NAMES } from '../shared/protocol';
import { el, type Child } from './dom';
import { tallyAlerts } from './alert-filter';
import { learntText, type LearntSummary } from './baseline-manager';
import { formatBytes, formatDurationUs, formatInt, formatRate, formatUtcUs } from './format';

const LINKTYPES: Record<number, string> = {
  0: 'NULL/loopback',
  1: 'Ethernet',
  101: 'raw IP',
  113: 'Linux SLL',
  228: 'raw IPv4',
  229: 'raw IPv6',
  276: 'Linux SLL2',
};

function formatLabel(r: AnalysisResult): string {
  const s = r.summary;
  const parts: string[] = [s.format];
  if (s.gzip) parts.push('gzip');
  const isCapture = s.format === 'pcap' || s.format === 'pcapng';
  if (isCapture && s.linktype >= 0 && s.recordsRead > 0) parts.push(`link type ${s.linktype}${LINKTYPES[s.linktype] ? ` (${LINKTYPES[s.linktype]})` : ''}`);
  if (s.format === 'pcapng') parts.push(`${formatInt(s.sections)} section(s), ${formatInt(s.interfaces)} interface(s)`);
  return parts.join(' · ');
}

function row(label: string, value: Child, id?: string): HTMLElement {
  return el('div', { class: 'kv' }, el('dt', {}, label), el('dd', { attrs: id ? { 'data-field': id } : {} }, value));
}

/** One-line status of a result: complete, cancelled (partial) or stopped by an error (partial). */
export function statusText(r: AnalysisResult): string {
  if (r.partial) return 'Reading — results so far'; // #5 flow: a snapshot while the file is read
  if (r.cancelled) return 'Cancelled — partial result';
  if (!r.ok) return 'Stopped by an error — partial result';
  return 'Complete';
}

/** The baseline an analysis was judged against: its name in this browser and, when the worker
 *  described it (AnalysisResult.baseline), what it holds. */
export interface AppliedBaseline {
  name: string;
  summary?: LearntSummary;
}

/** The "Baseline" line: "office, learnt from normal.pcap (created …): 1,234 connections from …". */
export function baselineText(b: AppliedBaseline): string {
  const s = b.summary;
  if (!s) return `${b.name} (the worker did not describe it)`;
  return `${b.name}, learnt from ${s.sourceFile || 'an unnamed capture'}${s.createdAt ? ` (created ${s.createdAt})` : ''}: ${learntText(s)}`;
}

/** The "Profiles" line of a result with PROFILE scoring: "scored 1,005 connections against the
 *  applied baseline: 994 alerts (1 LOW, 993 MEDIUM, 0 HIGH, 0 CRITICAL)", for a warm-up "learnt
 *  from 120 connections of the first 10 min (until …), scored 900: …", plus dropped records, or why
 *  no profile ran. */
export function profileText(p: ProfileResult): string {
  if (p.skipped) return `not scored: ${p.skipped}`;
  const lv = p.byLevel;
  const total = lv.LOW + lv.MEDIUM + lv.HIGH + lv.CRITICAL;
  const levels = `${formatInt(total)} alerts (${formatInt(lv.LOW)} LOW, ${formatInt(lv.MEDIUM)} MEDIUM, ${formatInt(lv.HIGH)} HIGH, ${formatInt(lv.CRITICAL)} CRITICAL)`;
  const w = p.warmup;
  const how = w ? ('minutes' in w ? `the first ${w.minutes} min` : `the first ${w.percent} %`) : 'the warm-up';
  const head =
    p.mode === 'warmup'
      ? `learnt from ${formatInt(p.learnt)} connections of ${how}${p.warmupEndUs !== undefined && Number.isFinite(p.warmupEndUs) ? ` (until ${formatUtcUs(p.warmupEndUs)})` : ''}, scored ${formatInt(p.scored)}`
      : `scored ${formatInt(p.scored)} connections against the applied baseline`;
  return `${head}: ${levels}${p.connsDropped ? `; ${formatInt(p.connsDropped)} connection records over the limit neither learnt nor scored` : ''}`;
}

/** "SPIKE 3, LATENCY 1" for the alerts dropped inside the warm-up; '' when none. */
export function warmupDroppedText(p: ProfileResult): string {
  const d = p.droppedInWarmup ?? {};
  return Object.entries(d)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${formatInt(n)}`)
    .join(', ');
}

/** Renders the summary of `r` as a <section> with <dl> groups. Fields carry data-field names
 *  (packets, bytes, flows, skipped-truncated, baseline, ...) for tests. `applied`: the baseline
 *  the analysis ran with (none: the row says so). */
export function renderSummary(r: AnalysisResult, applied?: AppliedBaseline): HTMLElement {
  const s = r.summary;
  const span = Number.isFinite(s.tsFirstUs)
    ? el(
        'span',
        {},
        el('time', {}, formatUtcUs(s.tsFirstUs)),
        ' \u2192 ',
        el('time', {}, formatUtcUs(s.tsLastUs)),
        el('span', { class: 'muted' }, ` (${formatDurationUs(s.tsLastUs - s.tsFirstUs)})`),
      )
    : 'no packets';
  const skipped = s.skipped;
  const skippedTotal = skipped.truncated + skipped.unsupportedLink + skipped.notIp + skipped.badHeader + skipped.badRow;
  const status = statusText(r);
  return el(
    'section',
    { id: 'summary', class: 'panel summary', attrs: { 'aria-labelledby': 'summary-title', 'data-status': r.cancelled ? 'cancelled' : r.ok ? 'ok' : 'error' } },
    el('h2', { id: 'summary-title' }, 'Summary ', el('span', { class: `badge ${r.ok && !r.cancelled ? 'ok' : 'partial'}` }, status)),
    el(
      'dl',
      { class: 'summary-head' },
      row('File', el('span', { class: 'break' }, s.fileName), 'file'),
      row('Size', `${formatBytes(s.fileBytes)}${s.gzip ? ` (${formatBytes(s.streamBytes)} decompressed)` : ''}`, 'size'),
      row('Format', formatLabel(r), 'format'),
      row('Time span (UTC)', span, 'span'),
      row('Baseline', applied ? el('span', { class: 'break' }, baselineText(applied)) : 'none applied (baselines learnt from this file only)', 'baseline'),
      r.profile ? row('Profiles', profileText(r.profile), 'profile') : null,
      r.profile && r.profile.mode === 'warmup'
        ? row('Dropped in warm-up', warmupDroppedText(r.profile) || 'no alerts', 'warmup-dropped')
        : null,
    ),
    el(
      'div',
      { class: 'summary-grid' },
      el(
        'dl',
        {},
        row('Packets', formatInt(s.packetsDecoded), 'packets'),
        row('Records read', formatInt(s.recordsRead), 'records'),
        row('Bytes (wire)', formatBytes(s.bytesDecoded), 'bytes'),
        row('Flows', formatInt(s.flows), 'flows'),
        row('Channels', formatInt(s.channels), 'channels'),
        row('Alerts', `${formatInt(s.alerts)}${s.alertsDropped ? ` (+${formatInt(s.alertsDropped)} not kept)` : ''}`, 'alerts'),
        row('Suppressed', formatInt(suppressedTotal(r)), 'suppressed'),
        row('Late packets', formatInt(s.latePackets), 'late-packets'),
        row('Flow windows', formatInt(s.flowWindows), 'flow-windows'),
        row('Blacklist ranges', formatInt(s.blacklistRanges), 'blacklist-ranges'),
      ),
      el(
        'dl',
        {},
        row('Skipped records', formatInt(skippedTotal), 'skipped'),
        row('· truncated', formatInt(skipped.truncated), 'skipped-truncated'),
        row('· unsupported link type', formatInt(skipped.unsupportedLink), 'skipped-unsupported-link'),
        row('· not IP', formatInt(skipped.notIp), 'skipped-not-ip'),
        row('· bad header', formatInt(skipped.badHeader), 'skipped-bad-header'),
        row('· bad row', formatInt(skipped.badRow), 'skipped-bad-row'),
      ),
      el(
        'dl',
        {},
        row('Packets/s', formatRate(s.packetsPerS, 'pkt'), 'pps'),
        row('Throughput', `${Number.isFinite(s.mbPerS) ? s.mbPerS.toFixed(1) : '—'} MB/s`, 'mbps'),
        row('Elapsed', `${formatInt(s.elapsedMs)} ms`, 'elapsed'),
        row('Out of order', formatInt(s.outOfOrder), 'out-of-order'),
        row('IPv4 / IPv6', `${formatInt(s.ipv4)} / ${formatInt(s.ipv6)}`, 'ip-versions'),
        row('TCP / UDP / ICMP / other', `${formatInt(s.tcp)} / ${formatInt(s.udp)} / ${formatInt(s.icmp)} / ${formatInt(s.otherIp)}`, 'protocols'),
      ),
    ),
    renderDetectorTable(r),
  );
}

/** Suppressed alerts over every detector (summary.byDetector; the columns if it is missing). */
function suppressedTotal(r: AnalysisResult): number {
  const by = r.summary.byDetector;
  if (by && Object.keys(by).length) return Object.values(by).reduce((n, d) => n + (d.suppressed || 0), 0);
  let n = 0;
  for (let i = 0; i < r.alerts.count; i++) n += r.alerts.suppressed[i];
  return n;
}

/** The alerts-by-detector table: alerts and suppressed from summary.byDetector, the severity split
 *  of the kept alerts (a Critical column when any alert has that level), evidence packets.
 *  Detectors without alerts are left out; a line of text with none. */
export function renderDetectorTable(r: AnalysisResult): HTMLElement | null {
  const by = r.summary.byDetector ?? {};
  const tallies = new Map(tallyAlerts(r).map((t) => [t.name, t]));
  const known: string[] = DETECTOR_NAMES.filter((n) => n);
  // Names the worker counts that this page's list lacks (a newer detector) still get a row.
  const all = [...known, ...Object.keys(by).filter((n) => !known.includes(n)), ...[...tallies.keys()].filter((n) => !known.includes(n) && !(n in by))];
  const names = all.filter((n) => (by[n]?.alerts ?? 0) > 0 || tallies.has(n));
  if (names.length === 0) return el('p', { id: 'detector-summary', class: 'muted' }, 'No detector raised an alert.');
  const critical = [...tallies.values()].some((t) => t.critical > 0);
  const num = (v: number | undefined, col: string) => el('td', { class: 'num', attrs: { 'data-col': col } }, formatInt(v ?? 0));
  const heads = ['Detector', 'Alerts', 'Suppressed', ...(critical ? ['Critical'] : []), 'High', 'Medium', 'Low', 'Evidence packets'];
  return el(
    'table',
    { id: 'detector-summary', class: 'detector-summary' },
    el('caption', {}, 'Alerts by detector'),
    el('thead', {}, el('tr', {}, ...heads.map((h, k) => el('th', { class: k ? 'num' : '', attrs: { scope: 'col' } }, h)))),
    el(
      'tbody',
      {},
      ...names.map((n) => {
        const d = by[n];
        const t = tallies.get(n);
        return el(
          'tr',
          { attrs: { 'data-detector': n } },
          el('th', { attrs: { scope: 'row' } }, n),
          num(d?.alerts ?? t?.alerts, 'alerts'),
          num(d?.suppressed ?? t?.suppressed, 'suppressed'),
          critical ? num(t?.critical, 'critical') : null,
          num(t?.high, 'high'),
          num(t?.medium, 'medium'),
          num(t?.low, 'low'),
          num(d?.evidencePackets, 'evidence'),
        );
      }),
    ),
  );
}
