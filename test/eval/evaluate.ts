// `npm run evaluate`: runs every detector over the labelled captures of ../shared/data (the table
// in test/eval/ground-truth.ts, written from MANIFEST.md) with the default options, through the
// same pipeline as the CLI (analyzeBlob with the Node engine, file reader and gunzip of
// src/cli/main.ts), matches the alerts against the ground truth (test/eval/match.ts) and prints
// (a) per capture: expected alerts, found (TP), missed (FN), the manifest's counts next to ours
// and the unexpected alerts by detector and severity; (b) per detector: captures where expected
// and found, recall, false positives and an alert precision. Detectors come from DETECTOR_NAMES,
// so new ones are picked up as they land; expectations of detectors not built yet read "n/a".
// A report, not a test: the exit code is 0 whatever it finds (1 only for a usage error).
//
//   npm run evaluate [-- --only DIR] [--markdown] [--json FILE]
//     --only DIR    only the captures under DIR (relative to ../shared/data, e.g. attacks/synflood)
//     --markdown    the tables as Markdown (for README.md "Evaluation")
//     --json FILE   also write the raw results (per capture: outcome, summary counts) to FILE
import { execSync } from 'node:child_process';
import { closeSync, openAsBlob, openSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyzeBlob } from '../../src/worker/pipeline';
import { fileGunzip, fileReader, nodeEngine } from '../../src/cli/main';
import { defaultOptions } from '../../src/rules/options';
import type { AnalysisResult, DetectorCounts } from '../../src/shared/protocol';
import { GROUND_TRUTH, QUIET, type AlertPattern, type CaptureTruth, type Category } from './ground-truth';
import {
  alertsOf, builtDetectors, groupsText, groupTotal, judgeCapture, patternText, type CaptureOutcome, type ExpectationOutcome,
} from './match';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const REPO = new URL('../../', import.meta.url).pathname;
/** Fixed hash seed so that runs repeat (the seed only matters when a table hits its memory cap). */
const SEED = 1;

interface CaptureReport {
  path: string;
  category: Category;
  ok: boolean;
  error?: string;
  packets: number;
  alerts: number;
  suppressed: number;
  byDetector: Record<string, DetectorCounts>;
  outcome: CaptureOutcome;
}

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

async function analyze(path: string): Promise<AnalysisResult> {
  const file = DATA + path;
  const engine = await nodeEngine();
  const options = defaultOptions();
  options.seed = SEED;
  const fd = openSync(file, 'r');
  try {
    const { result } = await analyzeBlob(engine, await openAsBlob(file), path, options, { direct: fileReader(fd), gunzip: fileGunzip(file) });
    return result;
  } finally {
    closeSync(fd);
  }
}

async function evaluate(truth: CaptureTruth): Promise<CaptureReport> {
  const result = await analyze(truth.path);
  const alerts = alertsOf(result);
  return {
    path: truth.path,
    category: truth.category,
    ok: result.ok,
    error: result.error ? `${result.error.code}: ${result.error.message}` : undefined,
    packets: result.summary.packetsDecoded,
    alerts: alerts.length,
    suppressed: alerts.filter((a) => a.suppressed).length,
    byDetector: result.summary.byDetector,
    outcome: judgeCapture(truth, alerts),
  };
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

function countsCell(r: CaptureReport): string {
  return r.outcome.expectations.filter((o) => o.expectation.count).map((o) => {
    const c = o.expectation.count!;
    const ours = o.status === 'not-built' ? 'n/a' : o.ours === undefined ? '–' : String(Math.round(o.ours * 100) / 100);
    return `${c.label} ${c.manifest} / ${ours}`;
  }).join('; ');
}

function unexpectedCell(r: CaptureReport): string {
  const o = r.outcome;
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

function summarize(reports: CaptureReport[]): DetectorSummary[] {
  const built = builtDetectors();
  const names = [...built];
  for (const r of reports) {
    for (const o of r.outcome.expectations) if (!names.includes(o.expectation.detector)) names.push(o.expectation.detector);
    for (const d of Object.keys(r.byDetector)) if (!names.includes(d)) names.push(d);
  }
  return names.map((detector) => {
    const s: DetectorSummary = {
      detector, built: built.includes(detector), expectedIn: 0, foundIn: 0, matchedAlerts: 0, fpAlerts: 0, onTargetAlerts: 0,
      offTargetAlerts: 0, quietOtherAlerts: 0, fpIn: 0, quietFpIn: 0, otherIn: 0,
    };
    for (const r of reports) {
      const mine = r.outcome.expectations.filter((o) => o.expectation.detector === detector);
      if (mine.length > 0) {
        s.expectedIn++;
        if (mine.every((o) => o.status === 'found')) s.foundIn++;
      }
      const o = r.outcome;
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
const CAPTURE_HEAD = ['capture', 'category', 'expected', 'found (TP)', 'missed (FN)', 'manifest / ours', 'unexpected'];

function captureRows(reports: CaptureReport[]): string[][] {
  const truthOf = (p: string) => GROUND_TRUTH.find((t) => t.path === p)!;
  return reports.map((r) => [r.path, r.category, expectedCell(truthOf(r.path)), foundCell(r), missedCell(r), countsCell(r), unexpectedCell(r)]);
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
  'cannot show it (no past for a baseline, under a documented minimum) and the test that shows it after a',
  'learned baseline — still counted as a miss. manifest / ours: the manifest counts over',
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
  const sums = summarize(reports);

  const rev = revision();
  const date = new Date().toISOString().slice(0, 10);
  const built = builtDetectors();
  const expectations = reports.flatMap((r) => r.outcome.expectations);
  const misses = expectations.filter((o) => o.status === 'missed').length;
  const missesAlone = expectations.filter((o) => o.status === 'missed' && o.expectation.alone).length;
  const notBuilt = expectations.filter((o) => o.status === 'not-built').length;
  const fpAlerts = sums.reduce((s, d) => s + d.fpAlerts, 0);
  const fpCaptures = reports.filter((r) => r.outcome.falsePositives.length > 0).length;
  const head = `Evaluation at ${rev}, ${date}: ${reports.length} capture${reports.length === 1 ? '' : 's'}, default options (seed ${SEED}), detectors ${built.join(', ')}.`;
  const tail = `Misses: ${misses} of ${expectations.length - notBuilt} expectations of built detectors ` +
    `(${missesAlone} of them marked "alone": the capture by itself cannot show it, see the note) ` +
    `(${notBuilt} more n/a: detector not built); false positives: ${fpAlerts} alerts in ${fpCaptures} capture${fpCaptures === 1 ? '' : 's'}.`;

  if (values.markdown) {
    console.log(`${head}\n\nPer capture (${LEGEND.join(' ')})\n`);
    console.log(markdownTable(CAPTURE_HEAD, captureRows(reports)));
    console.log(`\nPer detector (${SUMMARY_LEGEND.join(' ')})\n`);
    console.log(markdownTable(SUMMARY_HEAD, summaryRows(sums, reports)));
    console.log(`\n${tail}`);
  } else {
    console.log(`${head}\n`);
    console.log(textTable(CAPTURE_HEAD, captureRows(reports)));
    console.log(`\n${LEGEND.join('\n')}\n`);
    console.log('Per detector:');
    console.log(textTable(SUMMARY_HEAD, summaryRows(sums, reports)));
    console.log(`\n${SUMMARY_LEGEND.join('\n')}`);
    console.log(`\n${tail}`);
  }
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ revision: rev, date, seed: SEED, detectors: built, captures: reports, detectorSummary: sums, misses, notBuilt }, null, 2));
  }
}

main().catch((e: unknown) => {
  // A report, not a test: an unexpected failure still says what happened.
  console.error(e);
  process.exitCode = 1;
});
