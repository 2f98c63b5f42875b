// The packet-size z-score detector (assembly/detect/zscore.ts) through the whole core, fed packed
// records (FORMAT_RECORDS): the acceptance example, a differential test against a plain
// TypeScript reference on random streams, alert-region overflow and the channel trace.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { newEngine, runBytes, type RawAlert } from '../helpers/core';
import { packRows as pack, type PacketRow } from '../helpers/records';
import { rng } from '../helpers/rng';

/** The detector's rows always carry a size. */
type Row = PacketRow & { size: number };


/** Address of node name id `id` in 100::/64 (abi.NODE_PREFIX_BYTE0). */
function node(id: number): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = abi.NODE_PREFIX_BYTE0;
  new DataView(a.buffer).setUint32(12, id, false);
  return a;
}


// LARGESIZE (on by default, S = 1500 B) would add its own episodes for the large sizes here.
const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS, [abi.CFG_LARGESIZE_ENABLED]: 0 };

interface RefAlert {
  recordIndex: number;
  score: number;
  mean: number;
  std: number;
  samples: number;
  severity: number;
}

/** Obviously-correct reference: keeps every size per channel, takes the window m by the formula
 *  of zscore.ts, two-pass mean and sample variance. */
function reference(rows: Row[], w: number, minSamples: number, t: number, minStd = 1, frac = 0.05, highMin = 30, maxFactor = 2): RefAlert[] {
  const b = Math.min(8, w);
  const bs = Math.ceil(w / b);
  const nb = Math.ceil(w / bs);
  const hist = new Map<string, number[]>();
  const out: RefAlert[] = [];
  rows.forEach((r, i) => {
    const key = `${r.src.join(',')}|${r.dst.join(',')}|${r.label ?? r.proto ?? 6}`;
    let h = hist.get(key);
    if (!h) hist.set(key, (h = []));
    const n = h.length;
    const m = n <= nb * bs ? n : (nb - 1) * bs + ((n - 1) % bs) + 1;
    if (m >= Math.max(1, minSamples)) {
      const win = h.slice(n - m);
      const mean = win.reduce((a, x) => a + x, 0) / m;
      const variance = m > 1 ? win.reduce((a, x) => a + (x - mean) ** 2, 0) / (m - 1) : 0;
      const std = Math.sqrt(variance);
      const eff = Math.max(std, minStd, frac * Math.abs(mean));
      const z = (r.size - mean) / eff;
      const az = Math.abs(z);
      if (az > t) {
        let severity = az >= 4 * t ? abi.SEV_HIGH : az >= 2 * t ? abi.SEV_MEDIUM : abi.SEV_LOW;
        // HIGH also needs highMin baseline packets, an upward z, σ above its floor and a size above
        // maxFactor × the window's largest (highMin 0: the plain ladder).
        if (severity === abi.SEV_HIGH && highMin > 0 && (m < highMin || z <= 0 || std < eff || r.size <= maxFactor * Math.max(...win))) {
          severity = abi.SEV_MEDIUM;
        }
        out.push({ recordIndex: i, score: z, mean, std, samples: m, severity });
      }
    }
    h.push(r.size);
  });
  return out;
}


/** A random stream over `channels` channels: per channel a base size and spread (some constant),
 *  occasional spikes, regime shifts, mildly out-of-order timestamps. */
function randomRows(seed: number, n: number, channels: number): Row[] {
  const r = rng(seed);
  const ch = Array.from({ length: channels }, (_, i) => ({
    src: node(1 + (i % 7)),
    dst: node(100 + Math.floor(i / 7)),
    label: i % 3 === 0 ? 17 : i % 3 === 1 ? 6 : 256 + i,
    base: 40 + Math.floor(r() * 1400),
    spread: r() < 0.2 ? 0 : Math.floor(r() * 200),
    // Without random spikes: its regime shifts are the jumps the HIGH conditions keep.
    clean: i % 4 === 3,
  }));
  const rows: Row[] = [];
  let ts = 1_600_000_000_000_000;
  for (let i = 0; i < n; i++) {
    const c = ch[Math.floor(r() * channels)];
    if (r() < (c.clean ? 0.01 : 0.001)) c.base = 40 + Math.floor(r() * 60000);
    let size = c.base + Math.round((r() - 0.5) * 2 * (c.clean ? 100 + c.spread : c.spread));
    if (r() < 0.02 && !c.clean) size = Math.floor(r() * 65535);
    ts += Math.floor(r() * 1000);
    rows.push({ ts: ts - (r() < 0.05 ? 5000 : 0), src: c.src, dst: c.dst, label: c.label, proto: c.label < 256 ? c.label : 6, size: Math.max(0, size) });
  }
  return rows;
}

function close(a: number, b: number, tol = 1e-9): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

describe('z-score detector', () => {
  it("flags exactly records 4 and 8 of the issue's example", async () => {
    const A = node(1), B = node(2), C = node(3), D = node(4);
    const rows: Row[] = [
      ...[1000, 1100, 1200, 5000].map((size, i) => ({ ts: 1_000_000 * (i + 1), src: A, dst: B, proto: 6, size })),
      ...[500, 600, 700, 100].map((size, i) => ({ ts: 1_000_000 * (i + 5), src: C, dst: D, proto: 17, size })),
    ];
    // Issue #2's plain ladder (HIGH from 4t): CFG_ZSCORE_HIGH_MIN_SAMPLES = 0.
    const res = await runBytes(pack(rows), { ...RECORDS, [abi.CFG_ZSCORE_MIN_SAMPLES]: 3, [abi.CFG_ZSCORE_HIGH_MIN_SAMPLES]: 0 });
    expect(res.counters[abi.C_PACKETS_DECODED]).toBe(8);
    expect(res.alerts.map((a) => a.recordIndex)).toEqual([3, 7]);
    const [a, c] = res.alerts;
    expect(a.detector).toBe(abi.DET_ZSCORE);
    expect(a.mean).toBeCloseTo(1100, 9);
    expect(a.std).toBeCloseTo(100, 9);
    expect(a.score).toBeCloseTo(39, 9);
    expect(a.severity).toBe(abi.SEV_HIGH);
    expect(a.samples).toBe(3);
    expect(a.size).toBe(5000);
    expect(a.protoLabel).toBe(6);
    expect(Array.from(a.src)).toEqual(Array.from(A));
    expect(c.score).toBeCloseTo(-5, 9);
    expect(c.severity).toBe(abi.SEV_LOW);
    expect(res.counters[abi.C_ALERTS_ZSCORE]).toBe(2);
    expect(res.counters[abi.C_CHANNELS_LIVE]).toBe(2);
  });

  it('by default a HIGH z needs 30 baseline packets, an upward deviation and σ above its floor, else it is MEDIUM', async () => {
    const A = node(1), B = node(2);
    const at = (sizes: number[]) => sizes.map((size, i) => ({ ts: 1_000_000 * (i + 1), src: A, dst: B, proto: 6, size }));
    // The example at the defaults: z = 39 over 3 packets is MEDIUM.
    const few = await runBytes(pack(at([1000, 1100, 1200, 5000])), RECORDS);
    expect(few.alerts.map((a) => [a.recordIndex, a.severity])).toEqual([[3, abi.SEV_MEDIUM]]);
    expect(few.alerts[0].score).toBeCloseTo(39, 9);
    // 30 packets alternating 1000 / 1200 (mean 1100, σ 101.7 > the floor 55): 5000 is HIGH, and
    // one packet earlier (29 packets) the same jump is MEDIUM.
    const base = Array.from({ length: 30 }, (_, i) => (i % 2 ? 1200 : 1000));
    const many = await runBytes(pack(at([...base, 5000])), RECORDS);
    expect(many.alerts.map((a) => [a.recordIndex, a.samples, a.severity])).toEqual([[30, 30, abi.SEV_HIGH]]);
    const under = await runBytes(pack(at([...base.slice(0, 29), 5000])), RECORDS);
    expect(under.alerts.map((a) => [a.recordIndex, a.samples, a.severity])).toEqual([[29, 29, abi.SEV_MEDIUM]]);
    // Downward by the same |z| over the same 30 packets: MEDIUM.
    const down = await runBytes(pack(at([...base.map((x) => x + 4000), 1100])), RECORDS);
    expect(down.alerts.length).toBe(1);
    expect(down.alerts[0].score).toBeLessThan(-12);
    expect(down.alerts[0].severity).toBe(abi.SEV_MEDIUM);
    // Within twice the window's largest: one 900-B packet, then 100 of 100 / 120 B (mean 117.8 B,
    // σ 79.3 B): 1500 B is z = 17.4 but under 2 x 900 B, MEDIUM; 1900 B is HIGH; with the factor 0
    // 1500 B is HIGH too.
    const small = Array.from({ length: 100 }, (_, i) => (i % 2 ? 120 : 100));
    const last = (r: Awaited<ReturnType<typeof runBytes>>) => r.alerts.filter((a) => a.recordIndex === 101);
    const seen = await runBytes(pack(at([900, ...small, 1500])), RECORDS);
    expect(last(seen).map((a) => a.severity)).toEqual([abi.SEV_MEDIUM]);
    expect(last(seen)[0].score).toBeCloseTo((1500 - 11900 / 101) / last(seen)[0].std, 9);
    expect(last(seen)[0].score).toBeGreaterThan(12);
    const noFactor = await runBytes(pack(at([900, ...small, 1500])), { ...RECORDS, [abi.CFG_ZSCORE_HIGH_MAX_FACTOR]: 0 });
    expect(last(noFactor).map((a) => a.severity)).toEqual([abi.SEV_HIGH]);
    const above = await runBytes(pack(at([900, ...small, 1900])), RECORDS);
    expect(last(above).map((a) => a.severity)).toEqual([abi.SEV_HIGH]);
    // A constant channel (σ 0, the floor 5 % of 1000 B = 50 B): 5000 B is z = 80 against the floor: MEDIUM.
    const flat = await runBytes(pack(at([...Array(40).fill(1000), 5000])), RECORDS);
    expect(flat.alerts.map((a) => [a.score, a.std, a.severity])).toEqual([[80, 0, abi.SEV_MEDIUM]]);
    // The plain ladder (0) makes all of them HIGH.
    for (const rows of [at([...base, 5000]), at([...base.map((x) => x + 4000), 1100]), at([...Array(40).fill(1000), 5000])]) {
      const plain = await runBytes(pack(rows), { ...RECORDS, [abi.CFG_ZSCORE_HIGH_MIN_SAMPLES]: 0 });
      expect(plain.alerts.map((a) => a.severity)).toEqual([abi.SEV_HIGH]);
    }
  });

  it('does nothing when disabled', async () => {
    const A = node(1), B = node(2);
    const rows = [10, 10, 10, 9000].map((size, i) => ({ ts: i, src: A, dst: B, size }));
    const res = await runBytes(pack(rows), { ...RECORDS, [abi.CFG_ZSCORE_ENABLED]: 0 });
    expect(res.alerts).toEqual([]);
    expect(res.counters[abi.C_CHANNELS_LIVE]).toBe(0);
  });

  for (const w of [3, 10, 100, 1000]) {
    for (const minSamples of [3, 10]) {
      it(`agrees with the reference (W=${w}, min samples ${minSamples})`, async () => {
        let highKept = 0;
        let highPlain = 0;
        for (const [seed, n, channels] of [[1, 6000, 40], [2, 20000, 6], [3, 3000, 200]]) {
          const rows = randomRows(seed * 1000 + w + minSamples, n, channels);
          const want = reference(rows, w, minSamples, 3.0);
          const res = await runBytes(pack(rows), {
            ...RECORDS,
            [abi.CFG_ZSCORE_WINDOW]: w,
            [abi.CFG_ZSCORE_MIN_SAMPLES]: minSamples,
          });
          const got = res.alerts;
          expect(got.map((a) => a.recordIndex)).toEqual(want.map((a) => a.recordIndex));
          // A window smaller than min samples never scores (W=3, min 10).
          if (minSamples > w) expect(want.length).toBe(0);
          else expect(want.length).toBeGreaterThan(10);
          if (w >= 100) {
            highKept += want.filter((a) => a.severity === abi.SEV_HIGH).length;
            highPlain += reference(rows, w, minSamples, 3.0, 1, 0.05, 0).filter((a) => a.severity === abi.SEV_HIGH).length;
          }
          got.forEach((a: RawAlert, i) => {
            const e = want[i];
            expect(a.samples).toBe(e.samples);
            expect(a.severity).toBe(e.severity);
            expect(close(a.score, e.score), `z ${a.score} vs ${e.score}`).toBe(true);
            expect(close(a.mean, e.mean), `mean ${a.mean} vs ${e.mean}`).toBe(true);
            expect(close(a.std, e.std), `std ${a.std} vs ${e.std}`).toBe(true);
            expect(a.size).toBe(rows[a.recordIndex].size);
          });
          expect(res.counters[abi.C_ALERTS_ZSCORE]).toBe(want.length);
        }
        // Long windows exercise the HIGH conditions both ways (kept, and turned MEDIUM).
        if (w >= 100) {
          expect(highKept).toBeGreaterThan(0);
          expect(highPlain).toBeGreaterThan(highKept);
        }
      });
    }
  }

  it('drains a tiny alert region repeatedly without losing alerts', async () => {
    const rows = randomRows(77, 20000, 30);
    const big = await runBytes(pack(rows), RECORDS);
    const tiny = await runBytes(pack(rows), { ...RECORDS, [abi.CFG_ALERT_CAPACITY]: 4 }, 4096);
    expect(big.alerts.length).toBeGreaterThan(100);
    expect(tiny.alerts.length).toBe(big.alerts.length);
    expect(tiny.alerts.map((a) => a.recordIndex)).toEqual(big.alerts.map((a) => a.recordIndex));
    expect(tiny.counters[abi.C_ALERTS_ZSCORE]).toBe(big.counters[abi.C_ALERTS_ZSCORE]);
  });

  it('traces every packet of the traced channel, with a tiny trace region', async () => {
    const A = node(1), B = node(2), C = node(3);
    const rows: Row[] = [];
    for (let i = 0; i < 50; i++) {
      rows.push({ ts: i * 10, src: A, dst: B, proto: 17, size: i === 30 ? 4000 : 100 + (i % 5) });
      rows.push({ ts: i * 10 + 1, src: A, dst: C, proto: 17, size: 200 });
    }
    const key = new Uint8Array(abi.TRACE_KEY_BYTES);
    key.set(A, 0);
    key.set(B, 16);
    new DataView(key.buffer).setUint32(32, 17, true);
    const engine = await newEngine();
    engine.setTraceKey(key);
    const points: { idx: number; flags: number; mean: number; z: number; std: number; size: number }[] = [];
    let alertN = 0;
    engine.start({ ...RECORDS, [abi.CFG_SEED]: 1, [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_CAPACITY]: 7 }, (o) => {
      alertN += o.alertCount;
      for (let i = 0; i < o.traceCount; i++) {
        const b = i * abi.TRACE_STRIDE;
        points.push({
          idx: o.trace.getUint32(b + abi.TRACE_RECORD_INDEX, true),
          flags: o.trace.getUint32(b + abi.TRACE_FLAGS, true),
          mean: o.trace.getFloat64(b + abi.TRACE_MEAN, true),
          std: o.trace.getFloat64(b + abi.TRACE_STD, true),
          z: o.trace.getFloat64(b + abi.TRACE_Z, true),
          size: o.trace.getFloat64(b + abi.TRACE_SIZE, true),
        });
      }
    });
    engine.feed(pack(rows));
    engine.finish();
    expect(points.map((p) => p.idx)).toEqual(rows.map((_, i) => i).filter((i) => i % 2 === 0));
    expect(points.slice(0, 3).every((p) => p.flags === 0 && Number.isNaN(p.z) && Number.isNaN(p.mean))).toBe(true);
    expect(points.slice(3).every((p) => (p.flags & 1) === 1)).toBe(true);
    const flagged = points.filter((p) => p.flags & 2);
    expect(flagged.map((p) => p.idx)).toEqual([60]);
    expect(flagged[0].size).toBe(4000);
    expect(flagged[0].std).toBeGreaterThanOrEqual(0.05 * flagged[0].mean);
    expect(alertN).toBeGreaterThanOrEqual(1);
  });
});
