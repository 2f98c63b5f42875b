// The evaluation's ground truth cannot rot: every capture under attacks/, tcp_behaviour/ and
// normal/ of ../shared/data has exactly one entry in test/eval/ground-truth.ts and every entry
// names a file that exists, with known detectors, variants and well-formed addresses. The matcher
// (test/eval/match.ts) on hand-built alerts (a match, a wrong subject, a lower severity, a wrong
// variant, a detector not built, the false-positive classes, the combination of a run alone with a
// run after a learnt baseline), and on a real capture through the pipeline, alone and after a
// baseline learnt from the benign capture its learnFrom names.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { analyzeBlob } from '../../src/worker/pipeline';
import { defaultOptions } from '../../src/rules/options';
import { DATA, newEngine } from '../helpers/core';
import { GROUND_TRUTH, GROUND_TRUTH_DIRS, QUIET, isCaptureFile, learnFromOf, type AlertPattern, type CaptureTruth } from './ground-truth';
import {
  PLANNED_DETECTORS, VARIANT_IDS, alertsOf, builtDetectors, combineExpectations, judgeCapture, lostExpectations, matches, type EvalAlert,
} from './match';

/** Every file under DATA + dir, as paths relative to DATA. */
function walk(dir: string): string[] {
  return readdirSync(DATA + dir).flatMap((f) => {
    const p = `${dir}/${f}`;
    return statSync(DATA + p).isDirectory() ? walk(p) : [p];
  });
}

describe('ground truth table', () => {
  it('has exactly one entry per capture under attacks/, tcp_behaviour/ and normal/, and every entry exists', () => {
    const files = GROUND_TRUTH_DIRS.flatMap(walk);
    const captures = files.filter((f) => isCaptureFile(f));
    // The only non-capture file there is the list of the perf file's constituents.
    expect(files.filter((f) => !isCaptureFile(f))).toEqual(['normal/perf/real_mix_ndpi_zeek_merged.CONSTITUENTS.txt']);
    const paths = GROUND_TRUTH.map((t) => t.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect([...paths].sort()).toEqual([...captures].sort());
    for (const p of paths) expect(existsSync(DATA + p), p).toBe(true);
  });

  it('names only known detectors and variants, valid addresses, and ground-truth hosts as subjects', () => {
    const known = new Set<string>([...builtDetectors(), ...PLANNED_DETECTORS]);
    const addr = (a: string | undefined, where: string) => {
      if (a !== undefined) expect(ipaddr.isValid(a), `${where}: ${a}`).toBe(true);
    };
    const check = (t: CaptureTruth, p: AlertPattern) => {
      const where = `${t.path} ${JSON.stringify(p)}`;
      if (p.detector !== undefined) expect(known.has(p.detector), where).toBe(true);
      if (p.variant !== undefined) expect(VARIANT_IDS[p.detector!]?.[p.variant], where).toBeTypeOf('number');
      for (const a of [p.src, p.dst, ...(p.between ?? [])]) addr(a, where);
    };
    for (const t of GROUND_TRUTH) {
      expect(t.path.split('/')[0]).toBe({ attack: 'attacks', behaviour: 'tcp_behaviour', benign: 'normal' }[t.category]);
      for (const h of t.hosts) addr(h, t.path);
      for (const e of t.expect) {
        check(t, e);
        if (e.count?.variant !== undefined) expect(VARIANT_IDS[e.detector]?.[e.count.variant], t.path).toBeTypeOf('number');
        // On attack captures an expected subject is a ground-truth host (so "off-target" means what it says).
        if (t.category === 'attack') for (const a of [e.src, e.dst, ...(e.between ?? [])]) if (a !== undefined) expect(t.hosts, t.path).toContain(a);
      }
      for (const f of t.forbid) check(t, f);
      // Named real alerts: only on quiet captures, with a detector, a count and a reason.
      for (const n of t.named ?? []) {
        check(t, n);
        expect(t.category, t.path).not.toBe('attack');
        expect(n.detector, t.path).toBeTypeOf('string');
        expect(n.alerts, t.path).toBeGreaterThan(0);
        expect(n.why.length, t.path).toBeGreaterThan(20);
      }
      // Benign and behaviour captures stay quiet.
      if (t.category !== 'attack') for (const q of QUIET) expect(t.forbid, t.path).toContainEqual(q);
    }
  });

  it('learnFrom names a benign or behaviour capture without expectations, never the capture itself; expectations agree and are "alone"', () => {
    const byPath = new Map(GROUND_TRUTH.map((t) => [t.path, t]));
    let withLearn = 0;
    for (const t of GROUND_TRUTH) {
      const from = learnFromOf(t);
      const named = [t.learnFrom, ...t.expect.map((e) => e.learnFrom)].filter((f) => f !== undefined);
      // One baseline per capture: every learnFrom given (the capture's and its expectations') is the same.
      expect(new Set(named).size, t.path).toBeLessThanOrEqual(1);
      expect(from, t.path).toBe(named[0]);
      for (const e of t.expect) {
        // Only "alone" expectations are judged on the baseline run, so one naming learnFrom must be one.
        if (e.learnFrom !== undefined) expect(e.alone, `${t.path} ${e.detector}`).toBeTypeOf('string');
        // PROFILE scores nothing without a baseline (no warm-up by default): its expectations need one.
        if (e.detector === 'PROFILE') expect([e.alone, e.learnFrom].every((x) => typeof x === 'string'), `${t.path} PROFILE`).toBe(true);
      }
      if (from === undefined) continue;
      withLearn++;
      expect(from, t.path).not.toBe(t.path);
      expect(existsSync(DATA + from), from).toBe(true);
      const source = byPath.get(from);
      expect(source, `${t.path}: learnFrom ${from} has no ground-truth entry`).toBeDefined();
      // A baseline comes from traffic known to be clean: never an attack capture, nothing expected of it.
      expect(source!.category, from).not.toBe('attack');
      expect(source!.expect, from).toEqual([]);
      expect(learnFromOf(source!), `${from} learns from another capture itself`).toBeUndefined();
    }
    expect(withLearn).toBeGreaterThan(0);
  });
});

/** A hand-built alert: SYNFLOOD dst 192.168.1.52 → 192.168.1.34:80, high, unless overridden. */
const alert = (o: Partial<EvalAlert> = {}): EvalAlert => ({
  detector: 'SYNFLOOD', variantId: 0, variant: 'dst', severity: 'high', src: '192.168.1.52', dst: '192.168.1.34', sport: 1501, dport: 80,
  value: 5870, evidence: 5770, aux: 1, suppressed: false, ...o,
});
const evgenii = GROUND_TRUTH.find((t) => t.path === 'attacks/synflood/evgenii_syn_flood.pcap')!;
const BUILT = ['ZSCORE', 'PORTSCAN', 'SYNFLOOD', 'UNUSUAL'];

describe('matcher', () => {
  it('a SYNFLOOD naming the victim matches; our count is its value; SPIKE is n/a while not built', () => {
    const o = judgeCapture(evgenii, [alert()], BUILT);
    expect(o.expectations.map((e) => [e.expectation.detector, e.status])).toEqual([['SYNFLOOD', 'found'], ['SPIKE', 'not-built'], ['PROFILE', 'not-built']]);
    expect(o.expectations[0]).toMatchObject({ alerts: 1, maxSeverity: 'high', ours: 5870 });
    expect(o.matched).toEqual([{ detector: 'SYNFLOOD', severity: 'high', alerts: 1 }]);
    expect([o.falsePositives, o.onTarget, o.offTarget, o.other]).toEqual([[], [], [], []]);
    // Once SPIKE exists, it is judged: missed without an alert, found with one against the victim.
    const built = [...BUILT, 'SPIKE'];
    expect(judgeCapture(evgenii, [alert()], built).expectations[1].status).toBe('missed');
    const spike = alert({ detector: 'SPIKE', variantId: 1, variant: undefined, severity: 'medium' });
    expect(judgeCapture(evgenii, [alert(), spike], built).expectations[1]).toMatchObject({ status: 'found', alerts: 1, maxSeverity: 'medium' });
  });

  it('a wrong subject does not match (and names a ground-truth host: on target, not wrong)', () => {
    const wrong = alert({ src: '192.168.1.34', dst: '192.168.1.52' });
    expect(matches(evgenii.expect[0], wrong)).toBe(false);
    const o = judgeCapture(evgenii, [wrong], BUILT);
    expect(o.expectations[0]).toMatchObject({ status: 'missed', alerts: 0, ours: undefined });
    expect(o.onTarget).toEqual([{ detector: 'SYNFLOOD', severity: 'high', alerts: 1 }]);
    // A wrong port or variant does not match either.
    expect(matches(evgenii.expect[0], alert({ dport: 443 }))).toBe(false);
    expect(matches(evgenii.expect[0], alert({ variantId: 2, variant: 'slow' }))).toBe(false);
    // Naming no ground-truth host: off-target.
    expect(judgeCapture(evgenii, [alert({ src: '10.0.0.1', dst: '10.0.0.2' })], BUILT).offTarget).toHaveLength(1);
  });

  it('a lower severity than the minimum does not match; equal or higher does', () => {
    const p: AlertPattern = { detector: 'PORTSCAN', src: '192.168.1.10', dst: '192.168.1.25', minSeverity: 'medium' };
    const scan = (severity: EvalAlert['severity']) =>
      alert({ detector: 'PORTSCAN', variantId: 0, variant: 'ports', src: '192.168.1.10', dst: '192.168.1.25', severity });
    expect([matches(p, scan('low')), matches(p, scan('medium')), matches(p, scan('high'))]).toEqual([false, true, true]);
  });

  it('between matches either direction; the forbidden victim-as-scanner is a false positive', () => {
    const p: AlertPattern = { detector: 'RETRANS', between: ['10.0.0.1', '10.0.0.2'] };
    const r = (src: string, dst: string) => alert({ detector: 'RETRANS', variantId: 0, src, dst });
    expect([matches(p, r('10.0.0.1', '10.0.0.2')), matches(p, r('10.0.0.2', '10.0.0.1')), matches(p, r('10.0.0.1', '10.0.0.3'))]).toEqual([true, true, false]);
    const victimScans = alert({ detector: 'PORTSCAN', variantId: 0, variant: 'ports', src: '192.168.1.34', dst: '192.168.1.52' });
    expect(judgeCapture(evgenii, [victimScans], BUILT).falsePositives).toEqual([{ detector: 'PORTSCAN', severity: 'high', alerts: 1 }]);
  });

  it('on a benign capture HIGH alerts, PORTSCAN and SYNFLOOD are false positives, the rest is "other"', () => {
    const benign = GROUND_TRUTH.find((t) => t.path === 'normal/zeek_smtp.pcap')!;
    const o = judgeCapture(benign, [
      alert({ detector: 'ZSCORE', severity: 'high' }),
      alert({ detector: 'ZSCORE', severity: 'low' }),
      alert({ detector: 'PORTSCAN', severity: 'low' }),
      alert({ detector: 'UNUSUAL', severity: 'medium' }),
    ], BUILT);
    expect(o.falsePositives).toEqual([{ detector: 'ZSCORE', severity: 'high', alerts: 1 }, { detector: 'PORTSCAN', severity: 'low', alerts: 1 }]);
    expect(o.other).toEqual([{ detector: 'ZSCORE', severity: 'low', alerts: 1 }, { detector: 'UNUSUAL', severity: 'medium', alerts: 1 }]);
  });

  it('a named real alert on a benign capture is "named", not a false positive; another subject still is', () => {
    const mk = GROUND_TRUTH.find((t) => t.path === 'normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap')!;
    const o = judgeCapture(mk, [
      alert({ detector: 'ZSCORE', severity: 'high', src: '172.19.79.6', dst: '192.168.1.10' }),
      alert({ detector: 'ZSCORE', severity: 'high', src: '192.168.1.10', dst: '172.19.79.6' }),
    ], BUILT);
    expect(o.named).toEqual([{ detector: 'ZSCORE', severity: 'high', alerts: 1 }]);
    expect(o.falsePositives).toEqual([{ detector: 'ZSCORE', severity: 'high', alerts: 1 }]);
  });

  it('with a baseline run: "alone" expectations take its status, the others the run alone\'s; a lost one is reported', () => {
    const built = [...BUILT, 'SPIKE', 'PROFILE'];
    const spike = alert({ detector: 'SPIKE', variantId: 1, variant: undefined, severity: 'medium', src: '0.0.0.0' });
    const profile = alert({ detector: 'PROFILE', variantId: 0, variant: undefined, severity: 'medium' });
    const alone = judgeCapture(evgenii, [alert()], built);
    expect(combineExpectations(alone).map((o) => o.status)).toEqual(['found', 'missed', 'missed']);
    // The baseline run finds SPIKE and PROFILE (both "alone") and the SYNFLOOD again.
    const warm = judgeCapture(evgenii, [alert(), spike, profile], built);
    expect(combineExpectations(alone, warm).map((o) => [o.expectation.detector, o.status])).toEqual([['SYNFLOOD', 'found'], ['SPIKE', 'found'], ['PROFILE', 'found']]);
    expect(lostExpectations(alone, warm)).toEqual([]);
    // A baseline run without the SYNFLOOD: it stays found (judged alone) and is reported as lost.
    const lossy = judgeCapture(evgenii, [spike], built);
    expect(combineExpectations(alone, lossy).map((o) => o.status)).toEqual(['found', 'found', 'missed']);
    expect(lostExpectations(alone, lossy).map((o) => o.expectation.detector)).toEqual(['SYNFLOOD']);
    // A PROFILE alert below MEDIUM does not count; nor does one naming another source.
    expect(judgeCapture(evgenii, [{ ...profile, severity: 'low' }, { ...profile, src: '192.168.1.34', dst: '192.168.1.52' }], built).expectations[2].status).toBe('missed');
    // Outcomes of two different ground truths cannot be combined.
    const other = judgeCapture(GROUND_TRUTH.find((t) => t.path === 'attacks/synflood/suricata-verify_tcp-session-syn-flood.pcap')!, [], built);
    expect(() => combineExpectations(alone, other)).toThrow(/different ground truths/);
  });

  it('counts: the variant filter and the sum', () => {
    const scan = GROUND_TRUTH.find((t) => t.path === 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap')!;
    const a = (variantId: number, value: number) =>
      alert({ detector: 'PORTSCAN', variantId, variant: undefined, src: '192.168.1.10', dst: '192.168.1.25', value });
    const o = judgeCapture(scan, [a(0, 939), a(1, 1002)], BUILT);
    // distinct ports from the ports variant only (the syn variant's value is SYNs), SYNs from the syn variant
    // (the third, PROFILE after a baseline, is not in BUILT here)
    expect(o.expectations.map((e) => [e.status, e.ours])).toEqual([['found', 939], ['found', 1002], ['not-built', undefined]]);
    const retrans = GROUND_TRUTH.find((t) => t.path === 'tcp_behaviour/suricata-verify_syn_retransmit_with_ts.pcap')!;
    const r = (src: string, dst: string, evidence: number) => alert({ detector: 'RETRANS', variantId: 0, src, dst, evidence, severity: 'medium' });
    const ro = judgeCapture(retrans, [r('10.38.251.147', '10.38.251.146', 12), r('10.38.251.146', '10.38.251.147', 5)], [...BUILT, 'RETRANS']);
    expect(ro.expectations[0]).toMatchObject({ status: 'found', alerts: 2, ours: 17 });
  });
});

describe('on a real capture through the pipeline', () => {
  it('evgenii_syn_flood after a baseline learnt from evgenii_no_flood: SPIKE and PROFILE missed alone, found with it, nothing wrong', async () => {
    const options = defaultOptions();
    options.seed = 1;
    const blob = (p: string) => new Blob([new Uint8Array(readFileSync(DATA + p))]);
    expect(learnFromOf(evgenii)).toBe('normal/evgenii_no_flood.pcap');
    const learnt = (await analyzeBlob(await newEngine(), blob(learnFromOf(evgenii)!), 'evgenii_no_flood.pcap', options, { learn: true })).result;
    expect(learnt.ok).toBe(true);
    expect(learnt.learnedBaseline).toBeTypeOf('string');
    const alone = judgeCapture(evgenii, alertsOf((await analyzeBlob(await newEngine(), blob(evgenii.path), evgenii.path, options)).result));
    const warmRun = (await analyzeBlob(await newEngine(), blob(evgenii.path), evgenii.path, options, { baselineJson: learnt.learnedBaseline })).result;
    expect(warmRun.ok).toBe(true);
    expect(warmRun.baseline?.sourceFile).toBe('evgenii_no_flood.pcap');
    const warm = judgeCapture(evgenii, alertsOf(warmRun));
    expect(alone.expectations.map((o) => o.status)).toEqual(['found', 'missed', 'missed']);
    expect(warm.expectations.map((o) => o.status)).toEqual(['found', 'found', 'found']);
    expect(combineExpectations(alone, warm).every((o) => o.status === 'found')).toBe(true);
    expect(warm.falsePositives).toEqual([]);
    // PROFILE names the attacker: its alerts at MEDIUM+ are the flood's SYNs to the victim's port 80.
    const prof = alertsOf(warmRun).filter((a) => a.detector === 'PROFILE' && a.severity !== 'low');
    expect(prof.length).toBeGreaterThan(0);
    expect(prof.every((a) => a.src === '192.168.1.52' && a.dst === '192.168.1.34' && a.dport === 80)).toBe(true);
  });

  it('evgenii_syn_flood: the SYNFLOOD against the victim is found with the manifest\'s SYN count, nothing is wrong', async () => {
    const options = defaultOptions();
    options.seed = 1;
    const bytes = new Uint8Array(readFileSync(DATA + evgenii.path));
    const { result } = await analyzeBlob(await newEngine(), new Blob([bytes]), evgenii.path, options);
    expect(result.ok).toBe(true);
    const alerts = alertsOf(result);
    expect(alerts.length).toBe(result.alerts.count);
    const o = judgeCapture(evgenii, alerts);
    const flood = o.expectations[0];
    expect(flood).toMatchObject({ status: 'found', maxSeverity: 'high' });
    expect(flood.ours).toBe(evgenii.expect[0].count!.manifest); // a 0.19-s flood: all 5870 SYNs in the 60-s window
    expect(o.falsePositives).toEqual([]);
    expect(alerts.find((a) => a.detector === 'SYNFLOOD')).toMatchObject({ variant: 'dst', dst: '192.168.1.34', dport: 80 });
  });
});
