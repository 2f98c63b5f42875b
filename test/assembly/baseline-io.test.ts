// Dump and reload of the core's learned baselines (assembly/detect/baseline-io.ts, metrics.ts,
// latency.ts, longconn.ts; abi BLREC_*) on real captures of /work/shared/data: a split run that
// carries its baselines over decides as a straight run; a baseline learnt on a benign capture names
// the victim of a flood from the first window; latency1 learnt once judges latency2; the export
// bound; frozen baselines; records the core cannot place; the PROTOSHIFT trace.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine, readAlert, readTracePoint, type RawAlert, type RawTracePoint } from '../helpers/core';
import { cat } from './decode-helpers';
import { coreBaselinesFromJson, coreBaselinesToJson } from '../../src/worker/core-baselines';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../src/shared/protocol';

const read = (rel: string) => new Uint8Array(readFileSync(DATA + rel));

interface Conn { firstUs: number; lastUs: number }
interface Run {
  counters: Float64Array;
  alerts: RawAlert[];
  trace: RawTracePoint[];
  conns: Conn[];
  exported: Uint8Array;
}

/** One analysis of `bytes` with config overrides, loaded baselines and a trace key; the export after finish(). */
async function run(bytes: Uint8Array, config: Record<number, number> = {}, baselines?: Uint8Array, traceKey?: Uint8Array): Promise<Run> {
  const engine = await newEngine();
  const alerts: RawAlert[] = [];
  const trace: RawTracePoint[] = [];
  const conns: Conn[] = [];
  if (traceKey) engine.setTraceKey(traceKey);
  engine.start({ [abi.CFG_SEED]: 12345, [abi.CFG_CONN_RECORDS_ENABLED]: 1, ...config }, (out) => {
    for (let i = 0; i < out.alertCount; i++) alerts.push(readAlert(out.alerts, i * abi.ALERT_STRIDE));
    for (let i = 0; i < out.traceCount; i++) trace.push(readTracePoint(out.trace, i));
    for (let i = 0; i < out.connCount; i++) {
      const o = i * abi.CONN_STRIDE;
      conns.push({ firstUs: Number(out.conns.getBigInt64(o + abi.CONN_FIRST_US, true)), lastUs: Number(out.conns.getBigInt64(o + abi.CONN_LAST_US, true)) });
    }
  }, { baselines });
  engine.feed(bytes);
  engine.finish();
  const exported = engine.exportBaselines();
  return { counters: engine.counters(), alerts, trace, conns, exported };
}

/** The records of a little-endian µs pcap: byte offset and time of each. */
function pcapIndex(b: Uint8Array): { off: number; tsUs: number }[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  expect(v.getUint32(0, true)).toBe(0xa1b2c3d4);
  const out: { off: number; tsUs: number }[] = [];
  for (let o = 24; o + 16 <= b.length; o += 16 + v.getUint32(o + 8, true)) out.push({ off: o, tsUs: v.getUint32(o, true) * 1e6 + v.getUint32(o + 4, true) });
  return out;
}

/** Records [from, to) of a pcap, with its file header. */
function pcapSlice(b: Uint8Array, idx: { off: number }[], from: number, to: number): Uint8Array {
  const end = to < idx.length ? idx[to].off : b.length;
  return cat(b.subarray(0, 24), b.subarray(idx[from].off, end));
}

/** pcapng with every EPB timestamp (µs resolution) moved by `shiftUs`. */
function shiftPcapng(b: Uint8Array, shiftUs: bigint): Uint8Array {
  const out = b.slice();
  const v = new DataView(out.buffer);
  for (let o = 0; o + 12 <= out.length; o += v.getUint32(o + 4, true)) {
    if (v.getUint32(o, true) !== 6) continue;
    const ts = ((BigInt(v.getUint32(o + 12, true)) << 32n) | BigInt(v.getUint32(o + 16, true))) + shiftUs;
    v.setUint32(o + 12, Number(ts >> 32n), true);
    v.setUint32(o + 16, Number(ts & 0xffffffffn), true);
  }
  return out;
}

/** Decoded records: [kind, key text, n, mean, s] sorted by kind and key, for comparisons. */
function records(bytes: Uint8Array): { kind: number; key: string; n: number; mean: number; s: number; age: number }[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let o = 0; o < bytes.length; o += abi.BLREC_STRIDE) {
    out.push({
      kind: v.getUint8(o + abi.BLREC_KIND),
      key: `${v.getUint8(o + abi.BLREC_VARIANT)} ${v.getUint8(o + abi.BLREC_PROTO)}/${v.getUint16(o + abi.BLREC_PORT, true)} ${bytes.subarray(o + abi.BLREC_ADDR, o + abi.BLREC_ADDR + 16).join('.')}`,
      age: v.getUint32(o + abi.BLREC_AGE_W, true),
      n: v.getFloat64(o + abi.BLREC_N, true),
      mean: v.getFloat64(o + abi.BLREC_MEAN, true),
      s: v.getFloat64(o + abi.BLREC_S, true),
    });
  }
  return out.sort((a, b) => a.kind - b.kind || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const LEARNT = new Set([abi.DET_SPIKE, abi.DET_PROTOSHIFT, abi.DET_LATENCY, abi.DET_LONGCONN]);

/** The episodes (NEW record, with the UPDATE's final numbers) of the baseline detectors whose NEW
 *  record is at or after `fromUs`, without what depends on the run (episode ids, record positions). */
function episodesFrom(alerts: RawAlert[], fromUs: number, indexShift: number) {
  const byId = new Map<number, RawAlert[]>();
  for (const a of alerts) if (LEARNT.has(a.detector) && a.episode !== 0) byId.set(a.episode, [...(byId.get(a.episode) ?? []), a]);
  const out = [];
  for (const recs of byId.values()) {
    if (recs[0].kind !== abi.ALERT_KIND_NEW || recs[0].tsUs < fromUs) continue;
    out.push(recs.map(({ episode: _e, recordOffset: _o, recordIndex, ...rest }) => ({ ...rest, recordIndex: recordIndex - indexShift })));
  }
  return out.sort((a, b) => a[0].tsUs - b[0].tsUs || a[0].detector - b[0].detector || a[0].variant - b[0].variant || a[0].aux - b[0].aux);
}

const OPTIONS: AnalysisOptions = DEFAULT_OPTIONS;

describe('learned baselines carried from one run into the next', () => {
  it('(a) CounterHack split at a quiet 1-s window boundary: the second half with the first half\'s baselines decides as the straight run', async () => {
    // 1-s windows: the first window of a capture then has its full span (firstSpan = max(rest of
    // the window, min(1 s, W)) = W), as in the straight run. The split is at the first packet of a
    // window, where no connection is open (conn records of the straight run) and the gap is shorter
    // than N windows (no new session), so the two runs see the same windows, flows and samples.
    const W = { [abi.CFG_METRIC_WINDOW_S]: 1 };
    const b = read('normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap');
    const idx = pcapIndex(b);
    const straight = await run(b, W);
    const spikeStarts = straight.alerts.filter((a) => a.detector === abi.DET_SPIKE && a.kind === abi.ALERT_KIND_NEW).map((a) => a.tsUs);
    let split = -1;
    for (let i = 1; i < idx.length; i++) {
      const t = idx[i].tsUs;
      const prev = idx[i - 1].tsUs;
      if (Math.floor(t / 1e6) === Math.floor(prev / 1e6) || t - prev >= 59e6) continue;
      if (straight.conns.some((c) => c.firstUs < t && c.lastUs >= t)) continue;
      if (spikeStarts.filter((s) => s >= t).length >= 3) split = i;
    }
    expect(split).toBeGreaterThan(0);
    const splitUs = idx[split].tsUs;
    const first = await run(pcapSlice(b, idx, 0, split), W);
    expect(first.counters[abi.C_BASELINE_EXPORTED]).toBe(first.exported.length / abi.BLREC_STRIDE);
    // through the JSON form, as a file would carry it
    const json = JSON.parse(JSON.stringify(coreBaselinesToJson(first.exported, { ...OPTIONS, baseline: { ...OPTIONS.baseline, windowS: 1 } })));
    const loaded = coreBaselinesFromJson(json, '$.core', { ...OPTIONS, baseline: { ...OPTIONS.baseline, windowS: 1 } });
    expect(loaded).toEqual(first.exported);
    const second = await run(pcapSlice(b, idx, split, idx.length), W, loaded);
    expect(second.counters[abi.C_BASELINE_IMPORTED]).toBe(loaded.length / abi.BLREC_STRIDE);
    expect(second.counters[abi.C_BASELINE_IMPORT_REJECTED]).toBe(0);
    const want = episodesFrom(straight.alerts, splitUs, split);
    const got = episodesFrom(second.alerts, 0, 0);
    expect(want.filter((e) => e[0].detector === abi.DET_SPIKE).length).toBeGreaterThanOrEqual(3);
    expect(got).toEqual(want);
    // Without the baselines the second half is judged from scratch: other decisions.
    const cold = await run(pcapSlice(b, idx, split, idx.length), W);
    expect(episodesFrom(cold.alerts, 0, 0)).not.toEqual(want);
    // The state at the end: the same records. Windowed baselines, LATENCY and LONGCONN to the bit;
    // a destination quiet across the split had its run of quiet windows folded in two steps (at
    // the export, then at its next packet) instead of one: the closed form (1 - alpha)^k of
    // baseline.ts then differs in rounding only.
    const a = records(straight.exported);
    const c = records(second.exported);
    expect(c.map((r) => [r.kind, r.key, r.n, r.age])).toEqual(a.map((r) => [r.kind, r.key, r.n, r.age]));
    for (let i = 0; i < a.length; i++) {
      if (a[i].kind === abi.BLREC_SPIKE_DST) {
        expect(c[i].mean).toBeCloseTo(a[i].mean, 12);
        expect(c[i].s).toBeCloseTo(a[i].s, 12);
      } else {
        expect([c[i].mean, c[i].s], `${a[i].kind} ${a[i].key}`).toEqual([a[i].mean, a[i].s]);
      }
    }
    expect(a.some((r) => r.kind === abi.BLREC_LATENCY_SERVER)).toBe(true);
    expect(a.some((r) => r.kind === abi.BLREC_LONGCONN_SERVICE)).toBe(true);
  });

  it('(b) learnt on normal/evgenii_no_flood, applied to attacks/synflood/evgenii_syn_flood: SPIKE_DST against 192.168.1.34 in the first window', async () => {
    const learn = await run(read('normal/evgenii_no_flood.pcap'));
    const flood = read('attacks/synflood/evgenii_syn_flood.pcap');
    const victim = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 34].join('.');
    const toVictim = (r: Run) => r.alerts.filter((a) => a.detector === abi.DET_SPIKE && a.variant === abi.SPIKE_DST && a.kind === abi.ALERT_KIND_NEW && a.dst.join('.') === victim);
    // Alone the flood has no past: nothing to judge against (metrics.test.ts states the same).
    const cold = await run(flood);
    expect(toVictim(cold)).toEqual([]);
    const warm = await run(flood, {}, learn.exported);
    expect(warm.counters[abi.C_BASELINE_IMPORT_REJECTED]).toBe(0);
    const eps = toVictim(warm);
    expect(eps.length).toBe(1);
    const t0 = pcapIndex(flood)[0].tsUs;
    const firstWindowEnd = (Math.floor(t0 / 10e6) + 1) * 10e6;
    expect(eps[0].tsUs).toBeLessThan(firstWindowEnd);
    // judged against the victim's own learnt baseline (AUX 0), its samples those of the learning run
    const own = records(learn.exported).find((r) => r.kind === abi.BLREC_SPIKE_DST && r.key.endsWith(victim))!;
    expect(eps[0].aux).toBe(0);
    expect(eps[0].samples).toBe(Math.min(own.n, OPTIONS.baseline.windows));
    expect(eps[0].severity).toBeGreaterThanOrEqual(abi.SEV_MEDIUM);
  });

  it('loaded destinations continue their age: the gap between the captures is no window; quiet for N windows, they expire', async () => {
    // N = 5 windows of 10 s: evgenii_no_flood (110 s) exports the destinations seen in its last 5
    // windows with their age; evgenii_syn_flood (one window) sees a few of them again.
    const n5 = { [abi.CFG_BASELINE_WINDOWS]: 5 };
    const learn = await run(read('normal/evgenii_no_flood.pcap'), n5);
    const flood = await run(read('attacks/synflood/evgenii_syn_flood.pcap'), n5, learn.exported);
    const before = records(learn.exported).filter((r) => r.kind === abi.BLREC_SPIKE_DST);
    const after = new Map(records(flood.exported).filter((r) => r.kind === abi.BLREC_SPIKE_DST).map((r) => [r.key, r]));
    expect(before.every((r) => r.age < 5)).toBe(true);
    let aged = 0;
    let expired = 0;
    for (const r of before) {
      const a = after.get(r.key);
      if (a && a.age === 0) continue; // seen again in the flood capture
      if (r.age + 1 >= 5) {
        expect(a, r.key).toBeUndefined();
        expired++;
      } else {
        // one more quiet window, folded in as a sample of 0: n grows by one, the mean falls
        expect(a, r.key).toBeDefined();
        expect(a!.age).toBe(r.age + 1);
        expect(a!.n).toBe(r.n + 1);
        expect(a!.mean).toBeLessThan(r.mean);
        aged++;
      }
    }
    expect(aged).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
  });

  it('(c) chrissanders_latency1 learnt once, applied to latency2: the HIGH server-side LATENCY alert', async () => {
    const lat1 = read('tcp_behaviour/chrissanders_latency1.pcapng');
    const lat2 = read('tcp_behaviour/chrissanders_latency2.pcapng');
    // One latency1 has one sample per variant: with the default warm-up (10 samples) a server is
    // judged after 10 learnt samples; a warm-up of 1 lets one learnt run judge.
    const warm1 = { [abi.CFG_LATENCY_WARMUP]: 1 };
    const learn = await run(lat1, warm1);
    const server = (r: Run) => r.alerts.filter((a) => a.detector === abi.DET_LATENCY && a.variant === abi.LATENCY_SERVER && a.kind === abi.ALERT_KIND_NEW);
    expect(server(await run(lat2, warm1))).toEqual([]);
    const applied = await run(lat2, warm1, learn.exported);
    expect(server(applied)).toHaveLength(1);
    const a = server(applied)[0];
    expect(a.severity).toBe(abi.SEV_HIGH);
    expect(a.value).toBeCloseTo(878.53, 2);
    expect(a.samples).toBe(1);
    const learnt = records(learn.exported).find((r) => r.kind === abi.BLREC_LATENCY_SERVER && r.key.startsWith(`${abi.LATENCY_SERVER} 6/80`))!;
    expect(a.mean).toBe(learnt.mean / 1000);

    // Default warm-up: 12 learning runs chained through their exports (each continues the last)
    // give the alert the 12-fold concatenated stream gives (tcp.test.ts), to the bit.
    let base: Uint8Array | undefined;
    for (let k = 0; k < 12; k++) base = (await run(lat1, {}, base)).exported;
    const chained = server(await run(lat2, {}, base));
    const stream = cat(...Array.from({ length: 12 }, (_, k) => shiftPcapng(lat1, BigInt(k) * 1_000_000_000n)), lat2);
    const straight = server(await run(stream));
    expect(straight).toHaveLength(1);
    const strip = (x: RawAlert) => ({ ...x, episode: 0, recordIndex: 0, recordOffset: 0 });
    expect(chained.map(strip)).toEqual(straight.map(strip));
    expect(chained[0].samples).toBe(12);
  });
});

describe('export bound, frozen baselines, records the core cannot place', () => {
  it('(e) CFG_BASELINE_EXPORT_MAX_KEYS keeps the most recently active keys per table and counts the rest', async () => {
    const b = read('normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap');
    const all = await run(b);
    const dsts = records(all.exported).filter((r) => r.kind === abi.BLREC_SPIKE_DST);
    const servers = new Set(records(all.exported).filter((r) => r.kind === abi.BLREC_LATENCY_SERVER).map((r) => r.key.slice(2)));
    const svcs = records(all.exported).filter((r) => r.kind === abi.BLREC_LONGCONN_SERVICE);
    const max = 2;
    expect(dsts.length).toBeGreaterThan(max);
    expect(servers.size).toBeGreaterThan(max);
    expect(svcs.length).toBeGreaterThan(max);
    expect(all.counters[abi.C_BASELINE_EXPORT_DROPPED]).toBe(0);
    const bounded = await run(b, { [abi.CFG_BASELINE_EXPORT_MAX_KEYS]: max });
    const recs = records(bounded.exported);
    const kept = recs.filter((r) => r.kind === abi.BLREC_SPIKE_DST);
    expect(kept).toHaveLength(max);
    expect(new Set(recs.filter((r) => r.kind === abi.BLREC_LATENCY_SERVER).map((r) => r.key.slice(2))).size).toBe(max);
    expect(recs.filter((r) => r.kind === abi.BLREC_LONGCONN_SERVICE)).toHaveLength(max);
    expect(bounded.counters[abi.C_BASELINE_EXPORT_DROPPED]).toBe(dsts.length - max + servers.size - max + svcs.length - max);
    // the kept destinations are the most recently active ones, unchanged
    const keptKeys = new Set(kept.map((r) => r.key));
    const dropped = dsts.filter((r) => !keptKeys.has(r.key));
    for (const k of kept) {
      expect(dsts).toContainEqual(k);
      for (const d of dropped) expect(k.age).toBeLessThanOrEqual(d.age);
    }
    // the unkeyed baselines are all there
    expect(recs.filter((r) => r.kind !== abi.BLREC_SPIKE_DST && r.kind !== abi.BLREC_LATENCY_SERVER && r.kind !== abi.BLREC_LONGCONN_SERVICE))
      .toEqual(records(all.exported).filter((r) => r.kind !== abi.BLREC_SPIKE_DST && r.kind !== abi.BLREC_LATENCY_SERVER && r.kind !== abi.BLREC_LONGCONN_SERVICE));
  });

  it('an abandoned (cancelled) run exports what it learnt so far, as a finished run of the same packets', async () => {
    const b = read('normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap');
    const idx = pcapIndex(b);
    const half = pcapSlice(b, idx, 0, idx.length >> 1);
    const finished = await run(half);
    const engine = await newEngine();
    engine.start({ [abi.CFG_SEED]: 12345, [abi.CFG_CONN_RECORDS_ENABLED]: 1 }, () => {});
    engine.feed(half);
    engine.abandon();
    const abandoned = engine.exportBaselines();
    expect(abandoned.length).toBeGreaterThan(0);
    expect(abandoned).toEqual(finished.exported);
  });

  it('a capture without packets hands the loaded baselines on unchanged', async () => {
    const b = read('normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap');
    const learnt = (await run(b)).exported;
    const empty = await run(b.subarray(0, 24), {}, learnt);
    expect(empty.counters[abi.C_BASELINE_IMPORTED]).toBe(learnt.length / abi.BLREC_STRIDE);
    expect(records(empty.exported)).toEqual(records(learnt));
  });

  it('CFG_BASELINE_FROZEN keeps loaded baselines as they were; by default they adapt', async () => {
    const learn = await run(read('normal/evgenii_no_flood.pcap'));
    const flood = read('attacks/synflood/evgenii_syn_flood.pcap');
    const frozen = await run(flood, { [abi.CFG_BASELINE_FROZEN]: 1 }, learn.exported);
    const adapting = await run(flood, {}, learn.exported);
    const before = records(learn.exported);
    const key = (r: { kind: number; key: string }) => `${r.kind} ${r.key}`;
    const fz = new Map(records(frozen.exported).map((r) => [key(r), r]));
    const ad = new Map(records(adapting.exported).map((r) => [key(r), r]));
    let changed = 0;
    for (const r of before) {
      // a loaded destination may have expired (quiet for N windows); everything else is still there
      if (r.kind === abi.BLREC_SPIKE_DST && !fz.has(key(r))) continue;
      const { age: _a, ...still } = fz.get(key(r))!;
      const { age: _b, ...was } = r;
      expect(still, key(r)).toEqual(was);
      const a = ad.get(key(r));
      if (a && (a.n !== r.n || a.mean !== r.mean)) changed++;
    }
    expect(changed).toBeGreaterThan(3);
  });

  it('the core skips and counts records it cannot place (bad kind, NaN, negative n, duplicate), loading the rest', async () => {
    const learn = await run(read('normal/evgenii_no_flood.pcap'));
    const good = learn.exported;
    const n = good.length / abi.BLREC_STRIDE;
    const bad = new Uint8Array((n + 4) * abi.BLREC_STRIDE);
    bad.set(good);
    const v = new DataView(bad.buffer);
    const o = n * abi.BLREC_STRIDE;
    bad.set(good.subarray(0, abi.BLREC_STRIDE), o); // a duplicate of the first record
    bad.set(good.subarray(0, abi.BLREC_STRIDE), o + 64);
    v.setUint8(o + 64 + abi.BLREC_KIND, 99); // bad kind
    bad.set(good.subarray(abi.BLREC_STRIDE, 2 * abi.BLREC_STRIDE), o + 128);
    v.setFloat64(o + 128 + abi.BLREC_MEAN, NaN, true);
    bad.set(good.subarray(abi.BLREC_STRIDE, 2 * abi.BLREC_STRIDE), o + 192);
    v.setFloat64(o + 192 + abi.BLREC_N, -3, true);
    const flood = read('attacks/synflood/evgenii_syn_flood.pcap');
    const withBad = await run(flood, {}, bad);
    const withGood = await run(flood, {}, good);
    expect(withBad.counters[abi.C_BASELINE_IMPORT_REJECTED]).toBe(4);
    expect(withBad.counters[abi.C_BASELINE_IMPORTED]).toBe(n);
    expect(withBad.alerts).toEqual(withGood.alerts);
    expect(withBad.exported).toEqual(withGood.exported);
  });
});

describe('(f) PROTOSHIFT trace (CFG_TRACE_DETECTOR = DET_PROTOSHIFT)', () => {
  it('CounterHack, 1-s windows: a point per class and tracked service per window; the flagged rows agree with the PROTOSHIFT alerts', async () => {
    const cfg = { [abi.CFG_METRIC_WINDOW_S]: 1, [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_PROTOSHIFT };
    const r = await run(read('normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap'), cfg);
    const byWindow = new Map<number, RawTracePoint[]>();
    for (const p of r.trace) byWindow.set(p.tsUs, [...(byWindow.get(p.tsUs) ?? []), p]);
    expect(byWindow.size).toBe(r.counters[abi.C_METRIC_WINDOWS]);
    for (const pts of byWindow.values()) {
      // the 5 classes first, in order, then the services; the class shares add up to the window
      expect(pts.slice(0, 5).map((p) => p.flags >> 8)).toEqual([0, 1, 2, 3, 4]);
      expect(pts.slice(5).every((p) => p.flags >> 8 === abi.PROTOSHIFT_ROW_SERVICE && p.recordIndex > 0)).toBe(true);
      expect(pts.slice(0, 5).reduce((s, p) => s + p.size * p.z, 0)).toBeCloseTo(pts[0].z, 9);
      expect(pts.every((p) => p.z === pts[0].z && p.z > 0)).toBe(true);
    }
    const news = r.alerts.filter((a) => a.detector === abi.DET_PROTOSHIFT && a.kind === abi.ALERT_KIND_NEW);
    expect(news.length).toBeGreaterThan(0);
    const flagged = r.trace.filter((p) => p.flags & 2);
    for (const a of news) {
      const row = a.variant === abi.PROTOSHIFT_PROTO ? a.aux : abi.PROTOSHIFT_ROW_SERVICE;
      const key = a.variant === abi.PROTOSHIFT_PROTO ? 0 : a.aux;
      const p = flagged.find((q) => q.tsUs === Math.floor(a.tsUs / 1e6) * 1e6 && q.flags >> 8 === row && q.recordIndex === key)!;
      expect(p, `alert at ${a.tsUs}`).toBeDefined();
      expect(100 * p.size).toBeCloseTo(a.value, 9);
      expect(100 * p.mean).toBeCloseTo(a.mean, 9);
      expect(100 * p.std).toBeCloseTo(a.std, 9);
    }
    // every flagged row belongs to an episode: its window's first packet is evidence of one
    expect(flagged.length).toBeGreaterThanOrEqual(news.length);
    // warm-up: the first windows have no baseline mean yet
    const firstWindow = Math.min(...byWindow.keys());
    expect(byWindow.get(firstWindow)!.every((p) => Number.isNaN(p.mean))).toBe(true);
    // A trace region smaller than a window's rows takes the first rows of each window.
    const small = await run(read('normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap'), { ...cfg, [abi.CFG_TRACE_CAPACITY]: 7 });
    const want = [...byWindow.values()].flatMap((pts) => pts.slice(0, 7));
    expect(small.trace).toEqual(want);
    expect([...byWindow.values()].some((pts) => pts.length > 7)).toBe(true);
  });
});
