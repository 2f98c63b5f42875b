// `npm run evaluate`: runs every detector over the labelled captures of ../shared/data (the table
// in test/eval/ground-truth.ts, written from MANIFEST.md) with the default options, through the
// same pipeline as the CLI (analyzeBlob with the Node engine, file reader and gunzip of
// src/cli/main.ts), matches the alerts against the ground truth (test/eval/match.ts) and prints
// (a) per capture: expected alerts, found (TP), missed (FN), the manifest's counts next to ours
// and the unexpected alerts by detector and severity; (b) per detector: captures where expected
// and found, recall, false positives and an alert precision. Detectors come from DETECTOR_NAMES,
// so new ones are picked up as they land; expectations of detectors not built yet read "n/a".
// "Learn here, detect there": a capture whose ground truth names `learnFrom` (a benign capture,
// of the same network where the data has one) is run twice: alone, and with a baseline file
// learnt from that capture (hooks.learn → result.learnedBaseline, applied with
// hooks.baselineJson, as `flowlens learn` and `analyze --baseline`; each learnFrom capture is
// learnt once and cached). Both runs are reported; an expectation marked `alone` (the capture by
// itself cannot show it) counts as found "with baselines" when the baseline run finds it, the
// others are judged on the run alone. Every alert of the baseline run (PROFILE included) is
// judged by the same rules as the run alone; (c) the per-detector table again with baselines.
// A report, not a test: the exit code is 0 whatever it finds (1 only for a usage error).
//
//   npm run evaluate [-- --only DIR] [--markdown] [--json FILE]
//     --only DIR    only the captures under DIR (relative to ../shared/data, e.g. attacks/synflood)
//     --markdown    the tables as Markdown (for README.md "Evaluation")
//     --json FILE   also write the raw results (per capture: outcome, summary counts) to FILE
import { execSync } from 'node:child_process';
import { closeSync, openAsBlob, openSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeBlob, type PipelineHooks } from '../../src/worker/pipeline';
import { fileGunzip, fileReader, nodeEngine } from '../../src/cli/main';
import { defaultOptions } from '../../src/rules/options';
import type { AnalysisResult, DetectorCounts } from '../../src/shared/protocol';
import { GROUND_TRUTH, QUIET, learnFromOf, type AlertPattern, type CaptureTruth, type Category } from './ground-truth';
import {
  alertsOf, builtDetectors, combineExpectations, groupsText, groupTotal, judgeCapture, lostExpectations, patternText, type CaptureOutcome,
  type ExpectationOutcome,
} from './match';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const REPO = new URL('../../', import.meta.url).pathname;
/** Fixed hash seed so that runs repeat (the seed only matters when a table hits its memory cap). */
const SEED = 1;

/** One run of a capture (alone, or with a learned baseline applied). */
interface RunReport {
  ok: boolean;
  error?: string;
  packets: number;
  alerts: number;
  suppressed: number;
  byDetector: Record<string, DetectorCounts>;
  outcome: CaptureOutcome;
}

interface CaptureReport extends RunReport {
  path: string;
  category: Category;
  /** The run with a baseline learned from `from` (CaptureTruth.learnFrom), when the ground truth
   *  names one; `learnError` when nothing could be learned from it (then no second run). */
  withBaseline?: RunReport & { from: string; learnError?: string };
  /** Per expectation, its status in the evaluation with baselines: `alone` expectations from the
   *  baseline run when there is one, the others from the run alone. */
  combined: ExpectationOutcome[];
}

/** The mode a table or a count speaks about. */
type Mode = 'alone' | 'baselines';

interface DetectorSummary {
  detector: string;
  built: boolean;
  /** Captures with at least one expectation of this detector, and those where all were found. */
  expectedIn: number;
  foundIn: number;
  /** Alerts matching an expectation, false positives, and the unexpected ones not called wrong:
   *  on ground-truth hosts and off-target (attack captures), other (benign and behaviour). */
  matchedAlerts: number;
  fpAlerts: number;
  onTargetAlerts: number;
  offTargetAlerts: number;
  quietOtherAlerts: number;
  /** Captures with false positives of this detector, and among them the benign and behaviour ones. */
  fpIn: number;
  quietFpIn: number;
  /** Captures with unexpected alerts of this detector that are not false positives. */
  otherIn: number;
}

/** One analysis of `path` with the default options (seed SEED) through the CLI's pipeline;
 *  `hooks`: learn a baseline (learn) or apply one (baselineJson). */
async function analyze(path: string, hooks: Pick<PipelineHooks, 'learn' | 'baselineJson'> = {}): Promise<AnalysisResult> {
  const file = DATA + path;
  const engine = await nodeEngine();
  const options = defaultOptions();
  options.seed = SEED;
  const fd = openSync(file, 'r');
  try {
    const { result } = await analyzeBlob(engine, await openAsBlob(file), path, options, { direct: fileReader(fd), gunzip: fileGunzip(file), ...hooks });
    return result;
  } finally {
    closeSync(fd);
  }
}

/** Learned baseline files (JSON text) by learnFrom path, each learned once; an Error when the
 *  pipeline learned nothing from it. */
const learned = new Map<string, Promise<string | Error>>();

function learnedBaseline(path: string): Promise<string | Error> {
  let p = learned.get(path);
  if (!p) {
    p = analyze(path, { learn: true }).then((r) =>
      (r.learnedBaseline !== undefined ? r.learnedBaseline : new Error(r.error ? `${r.error.code}: ${r.error.message}` : 'no baseline learnt')));
    learned.set(path, p);
  }
  return p;
}

function runReport(truth: CaptureTruth, result: AnalysisResult): RunReport {
  const alerts = alertsOf(result);
  return {
    ok: result.ok,
    error: result.error ? `${result.error.code}: ${result.error.message}` : undefined,
    packets: result.summary.packetsDecoded,
    alerts: alerts.length,
    suppressed: alerts.filter((a) => a.suppressed).length,
    byDetector: result.summary.byDetector,
    outcome: judgeCapture(truth, alerts),
  };
}

async function evaluate(truth: CaptureTruth): Promise<CaptureReport> {
  const alone = runReport(truth, await analyze(truth.path));
  const report: CaptureReport = { path: truth.path, category: truth.category, ...alone, combined: alone.outcome.expectations };
  const from = learnFromOf(truth);
  if (from === undefined) return report;
  const baseline = await learnedBaseline(from);
  if (baseline instanceof Error) {
    // Nothing learned: no second run; the alone expectations stay missed.
    report.withBaseline = {
      from, learnError: baseline.message, ok: false, packets: 0, alerts: 0, suppressed: 0, byDetector: {}, outcome: judgeCapture(truth, []),
    };
    return report;
  }
  const run = runReport(truth, await analyze(truth.path, { baselineJson: baseline }));
  report.withBaseline = { from, ...run };
  report.combined = combineExpectations(alone.outcome, run.outcome);
  return report;
}

/** The outcome a mode judges: alone, or (with baselines) the baseline run's alerts and the
 *  combined expectations where the capture has one. */
function outcomeOf(r: CaptureReport, mode: Mode): CaptureOutcome {
  if (mode === 'alone') return r.outcome;
  const run = r.withBaseline && !r.withBaseline.learnError ? r.withBaseline.outcome : r.outcome;
  return { ...run, expectations: r.combined };
}

// ---- cells ----------------------------------------------------------------------------------

/** QUIET, the tail of every benign and behaviour entry's forbidden list, is printed as "quiet". */
const isQuiet = (t: CaptureTruth, p: AlertPattern) => t.category !== 'attack' && QUIET.some((q) => JSON.stringify(q) === JSON.stringify(p));

/** "SYNFLOOD dst → 192.168.1.34:80; SPIKE → 192.168.1.34; wrong: PORTSCAN 192.168.1.34 → *". */
function expectedCell(t: CaptureTruth): string {
  const parts = t.expect.map(patternText);
  const forbid = t.forbid.filter((p) => !isQuiet(t, p)).map(patternText);
  if (t.forbid.some((p) => isQuiet(t, p))) parts.push('quiet');
  if (forbid.length > 0) parts.push(`wrong: ${forbid.join(', ')}`);
  if (t.expect.length === 0 && t.category === 'attack') parts.unshift(forbid.length > 0 ? 'none' : 'none (no detector for this kind)');
  return parts.join('; ');
}

/** "PORTSCAN syn", "UNUSUAL :1957". */
const shortName = (o: ExpectationOutcome) => {
  const e = o.expectation;
  return [e.detector, e.variant, e.dport === undefined ? undefined : `:${e.dport}`].filter(Boolean).join(' ');
};

function foundCell(r: CaptureReport): string {
  return r.outcome.expectations.filter((o) => o.status === 'found').map((o) => `${shortName(o)} ×${o.alerts} (${o.maxSeverity})`).join('; ');
}

function missedCell(r: CaptureReport): string {
  return r.outcome.expectations.filter((o) => o.status !== 'found')
    .map((o) => (o.status === 'not-built' ? `${shortName(o)} n/a (detector not built)`
      : o.expectation.alone ? `${shortName(o)} (alone: ${o.expectation.alone})` : shortName(o))).join('; ');
}

/** The baseline run: "from normal/x.pcap: found …; missed …; lost …; FP: …", or "" without one.
 *  Found and missed: the `alone` expectations (those it is run for); lost: expectations found
 *  alone that this run misses. */
function baselineCell(r: CaptureReport): string {
  const b = r.withBaseline;
  if (!b) return '';
  const parts = [`from ${b.from}`];
  if (b.learnError) return `${parts[0]}: nothing learnt (${b.learnError})`;
  const mine = b.outcome.expectations.filter((o) => o.expectation.alone);
  const found = mine.filter((o) => o.status === 'found').map((o) => `${shortName(o)} ×${o.alerts} (${o.maxSeverity})`);
  const missed = mine.filter((o) => o.status !== 'found').map(shortName);
  const lost = lostExpectations(r.outcome, b.outcome).map(shortName);
  if (found.length) parts.push(`found ${found.join(', ')}`);
  if (missed.length) parts.push(`missed ${missed.join(', ')}`);
  if (lost.length) parts.push(`lost (found alone) ${lost.join(', ')}`);
  const unexpected = unexpectedText(b.outcome, b);
  if (unexpected) parts.push(unexpected);
  return parts.join('; ');
}

function countsCell(r: CaptureReport): string {
  return r.outcome.expectations.filter((o) => o.expectation.count).map((o) => {
    const c = o.expectation.count!;
    const ours = o.status === 'not-built' ? 'n/a' : o.ours === undefined ? '–' : String(Math.round(o.ours * 100) / 100);
    return `${c.label} ${c.manifest} / ${ours}`;
  }).join('; ');
}

function unexpectedCell(r: CaptureReport): string {
  return unexpectedText(r.outcome, r);
}

function unexpectedText(o: CaptureOutcome, r: RunReport): string {
  const parts: string[] = [];
  if (o.falsePositives.length) parts.push(`FP: ${groupsText(o.falsePositives)}`);
  if (o.named.length) parts.push(`named real: ${groupsText(o.named)}`);
  if (o.onTarget.length) parts.push(`on GT hosts: ${groupsText(o.onTarget)}`);
  if (o.offTarget.length) parts.push(`off-target: ${groupsText(o.offTarget)}`);
  if (o.other.length) parts.push(`other: ${groupsText(o.other)}`);
  if (!r.ok) parts.push(`ERROR ${r.error}`);
  return parts.join(' · ');
}

// ---- summaries ------------------------------------------------------------------------------

function summarize(reports: CaptureReport[], mode: Mode): DetectorSummary[] {
  const built = builtDetectors();
  const names = [...built];
  for (const r of reports) {
    for (const o of r.outcome.expectations) if (!names.includes(o.expectation.detector)) names.push(o.expectation.detector);
    for (const d of Object.keys(r.byDetector)) if (!names.includes(d)) names.push(d);
    for (const d of Object.keys(r.withBaseline?.byDetector ?? {})) if (!names.includes(d)) names.push(d);
  }
  return names.map((detector) => {
    const s: DetectorSummary = {
      detector, built: built.includes(detector), expectedIn: 0, foundIn: 0, matchedAlerts: 0, fpAlerts: 0, onTargetAlerts: 0,
      offTargetAlerts: 0, quietOtherAlerts: 0, fpIn: 0, quietFpIn: 0, otherIn: 0,
    };
    for (const r of reports) {
      const o = outcomeOf(r, mode);
      const mine = o.expectations.filter((e) => e.expectation.detector === detector);
      if (mine.length > 0) {
        s.expectedIn++;
        if (mine.every((e) => e.status === 'found')) s.foundIn++;
      }
      s.matchedAlerts += groupTotal(o.matched, detector);
      const fp = groupTotal(o.falsePositives, detector);
      const on = groupTotal(o.onTarget, detector);
      const off = groupTotal(o.offTarget, detector);
      const other = groupTotal(o.other, detector);
      const rest = on + off + other;
      s.fpAlerts += fp;
      s.onTargetAlerts += on;
      s.offTargetAlerts += off;
      s.quietOtherAlerts += other;
      if (fp > 0) {
        s.fpIn++;
        if (r.category !== 'attack') s.quietFpIn++;
      }
      if (rest > 0) s.otherIn++;
    }
    return s;
  });
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${Math.round((100 * n) / d)} %`);

function summaryRows(sums: DetectorSummary[], reports: CaptureReport[]): string[][] {
  const quiet = reports.filter((r) => r.category !== 'attack').length;
  return sums.map((s) => {
    const recall = !s.built ? 'n/a' : pct(s.foundIn, s.expectedIn);
    const precision = !s.built || s.expectedIn === 0 ? '–' : pct(s.matchedAlerts, s.matchedAlerts + s.fpAlerts);
    return [
      s.detector,
      s.built ? 'yes' : 'not yet',
      String(s.expectedIn),
      s.built ? String(s.foundIn) : 'n/a',
      s.built ? String(s.expectedIn - s.foundIn) : 'n/a',
      recall,
      `${s.fpIn} (quiet ${s.quietFpIn}/${quiet})`,
      String(s.otherIn),
      `${s.matchedAlerts} / ${s.fpAlerts} / ${s.onTargetAlerts} / ${s.offTargetAlerts} / ${s.quietOtherAlerts}`,
      precision,
    ];
  });
}

const SUMMARY_HEAD = [
  'detector', 'built', 'expected in', 'found in', 'missed in', 'recall', 'FP in', 'other unexpected in',
  'alerts: matching / FP / on GT hosts / off-target / other', 'alert precision',
];
const CAPTURE_HEAD = ['capture', 'category', 'expected', 'found (TP)', 'missed (FN)', 'manifest / ours', 'unexpected', 'with baseline learnt from'];

function captureRows(reports: CaptureReport[]): string[][] {
  const truthOf = (p: string) => GROUND_TRUTH.find((t) => t.path === p)!;
  return reports.map((r) => [r.path, r.category, expectedCell(truthOf(r.path)), foundCell(r), missedCell(r), countsCell(r), unexpectedCell(r), baselineCell(r)]);
}

function textTable(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

function markdownTable(head: string[], rows: string[][]): string {
  const cell = (s: string) => (s === '' ? ' ' : s.replace(/\|/g, '\\|'));
  const line = (c: string[]) => `| ${c.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function revision(): string {
  try {
    const commit = execSync('git rev-parse --short HEAD', { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain', { cwd: REPO, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return dirty ? `${commit} + local changes` : commit;
  } catch {
    return 'unknown commit';
  }
}

/** How to read the per-detector table. */
const SUMMARY_LEGEND = [
  'expected in / found in: captures with an expectation of the detector / where every one of them was',
  'found; recall = found in / expected in; FP in: captures with false positives (quiet = of the benign',
  'and tcp_behaviour captures); other unexpected in: captures with unexpected alerts not called wrong;',
  'alert precision = matching / (matching + FP), for detectors with expectations.',
];

const LEGEND = [
  'found (TP): expected alerts present (×alerts, highest severity); missed (FN): expected and absent;',
  '"n/a (detector not built)": the detector does not exist yet; "(alone: …)": why the capture by itself',
  'cannot show it (no past for a baseline, PROFILE without one, under a documented minimum) and the test',
  'that shows it — a miss of the run alone, counted as found "with baselines" when the baseline run finds it.',
  'with baseline learnt from X: the capture run again with a baseline file learnt from the benign capture X',
  '(as `flowlens learn X`, then `analyze --baseline`): found / missed = its "alone" expectations, lost =',
  'expectations found alone and missed there, then its unexpected alerts (PROFILE included) by the same',
  'rules. manifest / ours: the manifest counts over',
  'the whole capture, the detector within its window (peak over the episode). Unexpected alerts by',
  'detector and severity: FP = a false positive (benign and tcp_behaviour captures: PORTSCAN, SYNFLOOD or',
  'any HIGH alert; attack captures: what the manifest calls wrong); on GT hosts / off-target = attack',
  'captures, alerts naming / not naming a ground-truth host (counted, not called wrong); other = benign',
  'and tcp_behaviour captures, LOW/MEDIUM alerts of detectors other than PORTSCAN and SYNFLOOD; named real =',
  'alerts on a benign capture that test/eval/ground-truth.ts names as real (what the capture holds), not FP.',
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, markdown: { type: 'boolean' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    console.log('npm run evaluate [-- --only DIR] [--markdown] [--json FILE]');
    return;
  }
  const only = values.only?.replace(/^\.\//, '').replace(/\/+$/, '');
  const entries = GROUND_TRUTH.filter((t) => only === undefined || t.path === only || t.path.startsWith(only + '/'));
  if (entries.length === 0) {
    console.error(`evaluate: no capture of the ground truth under '${only}'`);
    process.exitCode = 1;
    return;
  }
  const reports: CaptureReport[] = [];
  for (const t of entries) reports.push(await evaluate(t));
  const sums = summarize(reports, 'alone');
  const sumsB = summarize(reports, 'baselines');

  const rev = revision();
  const date = new Date().toISOString().slice(0, 10);
  const built = builtDetectors();
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const expectations = reports.flatMap((r) => r.outcome.expectations);
  const combined = reports.flatMap((r) => r.combined);
  const misses = expectations.filter((o) => o.status === 'missed').length;
  const missesAlone = expectations.filter((o) => o.status === 'missed' && o.expectation.alone).length;
  const byDetector = (outs: ExpectationOutcome[]) => {
    const n = new Map<string, number>();
    for (const o of outs) n.set(o.expectation.detector, (n.get(o.expectation.detector) ?? 0) + 1);
    return [...n].map(([d, k]) => `${d} ${k}`).join(', ');
  };
  const aloneByDet = byDetector(expectations.filter((o) => o.status === 'missed' && o.expectation.alone));
  const stillMissed = combined.filter((o) => o.status === 'missed').map((o) => {
    const r = reports.find((x) => x.combined.includes(o))!;
    return `${r.path.split('/').pop()} ${shortName(o)}`;
  });
  const missesB = combined.filter((o) => o.status === 'missed').length;
  const missesAloneB = combined.filter((o) => o.status === 'missed' && o.expectation.alone).length;
  const notBuilt = expectations.filter((o) => o.status === 'not-built').length;
  const fpOf = (outs: CaptureOutcome[]) => ({
    alerts: outs.reduce((n, o) => n + groupTotal(o.falsePositives), 0),
    captures: outs.filter((o) => o.falsePositives.length > 0).length,
  });
  const fp = fpOf(reports.map((r) => r.outcome));
  const learnRuns = reports.filter((r) => r.withBaseline && !r.withBaseline.learnError);
  const fpB = fpOf(learnRuns.map((r) => r.withBaseline!.outcome));
  const fpAll = fpOf(reports.map((r) => outcomeOf(r, 'baselines')));
  const lost = learnRuns.flatMap((r) => lostExpectations(r.outcome, r.withBaseline!.outcome).map((o) => `${r.path}: ${shortName(o)}`));
  const learnFailed = reports.filter((r) => r.withBaseline?.learnError).map((r) => `${r.path} (${r.withBaseline!.learnError})`);
  const sources = [...new Set(learnRuns.map((r) => r.withBaseline!.from))];
  const head = `Evaluation at ${rev}, ${date}: ${s(reports.length, 'capture')}, default options (seed ${SEED}), detectors ${built.join(', ')}; ` +
    `${s(learnRuns.length, 'capture')} also run with a baseline learnt from ${s(sources.length, 'benign capture')} (${sources.join(', ') || 'none'}).`;
  const tail = [
    `Alone: misses ${misses} of ${expectations.length - notBuilt} expectations of built detectors ` +
      `(${missesAlone} of them marked "alone": the capture by itself cannot show it, see the note${aloneByDet ? `: ${aloneByDet}` : ''}) ` +
      `(${notBuilt} more n/a: detector not built); false positives: ${s(fp.alerts, 'alert')} in ${s(fp.captures, 'capture')}.`,
    `With baselines ("alone" expectations judged on the run with the learnt baseline where the capture has one): misses ${missesB} of ` +
      `${combined.length - notBuilt} (${missesAloneB} marked "alone"${stillMissed.length ? `: ${stillMissed.join(', ')}` : ''}); ` +
      `false positives of the ${s(learnRuns.length, 'baseline run')}: ` +
      `${s(fpB.alerts, 'alert')} in ${s(fpB.captures, 'capture')}; over all captures (the baseline run where there is one, else alone): ` +
      `${s(fpAll.alerts, 'alert')} in ${s(fpAll.captures, 'capture')}.`,
    ...(lost.length ? [`Found alone but missed with the baseline (not counted as misses above): ${lost.join('; ')}.`] : []),
    ...(learnFailed.length ? [`Nothing learnt for: ${learnFailed.join('; ')}.`] : []),
  ].join('\n');

  if (values.markdown) {
    console.log(`${head}\n\nPer capture (${LEGEND.join(' ')})\n`);
    console.log(markdownTable(CAPTURE_HEAD, captureRows(reports)));
    console.log(`\nPer detector, alone (${SUMMARY_LEGEND.join(' ')})\n`);
    console.log(markdownTable(SUMMARY_HEAD, summaryRows(sums, reports)));
    console.log(`\nPer detector, with baselines (the baseline run's alerts where a capture has one, "alone" expectations judged on it)\n`);
    console.log(markdownTable(SUMMARY_HEAD, summaryRows(sumsB, reports)));
    console.log(`\n${tail.split('\n').join('\n\n')}`);
  } else {
    console.log(`${head}\n`);
    console.log(textTable(CAPTURE_HEAD, captureRows(reports)));
    console.log(`\n${LEGEND.join('\n')}\n`);
    console.log('Per detector, alone:');
    console.log(textTable(SUMMARY_HEAD, summaryRows(sums, reports)));
    console.log('\nPer detector, with baselines (the baseline run\'s alerts where a capture has one, "alone" expectations judged on it):');
    console.log(textTable(SUMMARY_HEAD, summaryRows(sumsB, reports)));
    console.log(`\n${SUMMARY_LEGEND.join('\n')}`);
    console.log(`\n${tail}`);
  }
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({
      revision: rev, date, seed: SEED, detectors: built, captures: reports, detectorSummary: sums, detectorSummaryWithBaselines: sumsB,
      misses, missesWithBaselines: missesB, notBuilt, falsePositives: fp, falsePositivesBaselineRuns: fpB, falsePositivesWithBaselines: fpAll,
    }, null, 2));
  }
}

main().catch((e: unknown) => {
  // A report, not a test: an unexpected failure still says what happened.
  console.error(e);
  process.exitCode = 1;
});
