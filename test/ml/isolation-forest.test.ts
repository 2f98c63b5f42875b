// Isolation Forest (src/ml/isolation-forest.ts) against the algorithm's known properties (Liu, Ting
// and Zhou 2008): c(n), repeatability by seed, planted outliers on generated Gaussian clusters,
// duplicates, ψ > n, the tree structure and invariance to scaling an attribute.
import { describe, expect, it } from 'vitest';
import { averagePathLength, fitForest, meanPathLength, scoreRow, scoreRows, type IsolationForest } from '../../src/ml/isolation-forest';
import { rng } from '../helpers/rng';
import { auc, gaussian } from './stats';

/** `n` points around two centres (σ = 1 per axis), then `outliers` points 10..14 σ from the first
 *  centre along a random direction turned away from the second. Returns the rows and which are outliers. */
function clusters(seed: number, dims: number, n: number, outliers: number): { X: Float64Array; isOut: boolean[] } {
  const r = rng(seed);
  const g = gaussian(r);
  const centres = [new Array(dims).fill(0), new Array(dims).fill(5)];
  const rows = n + outliers;
  const X = new Float64Array(rows * dims);
  const isOut: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const c = centres[i % centres.length];
    for (let d = 0; d < dims; d++) X[i * dims + d] = c[d] + g();
    isOut.push(false);
  }
  for (let i = n; i < rows; i++) {
    // A random direction from the first centre, 10..14 σ out, turned away from the second centre.
    const dir = Array.from({ length: dims }, () => g());
    const sign = dir.reduce((a, b) => a + b, 0) > 0 ? -1 : 1;
    const len = Math.hypot(...dir);
    const dist = 10 + 4 * r();
    for (let d = 0; d < dims; d++) X[i * dims + d] = (sign * dir[d] / len) * dist;
    isOut.push(true);
  }
  return { X, isOut };
}

/** Checks the node layout: one tree per range, every node reached once from its root, depth ≤ the
 *  height limit, sizes add up, the root holds ψ rows. Returns the depth of the deepest leaf. */
function checkStructure(f: IsolationForest): number {
  let deepest = 0;
  for (let t = 0; t < f.trees; t++) {
    const from = f.treeStart[t];
    const to = f.treeStart[t + 1];
    const seen = new Uint8Array(to - from);
    expect(f.size[from]).toBe(f.sampleSize);
    const stack: [number, number][] = [[from, 0]];
    while (stack.length) {
      const [i, depth] = stack.pop()!;
      expect(i >= from && i < to).toBe(true);
      expect(seen[i - from]).toBe(0);
      seen[i - from] = 1;
      expect(depth).toBeLessThanOrEqual(f.heightLimit);
      if (f.attr[i] < 0) {
        expect(f.left[i]).toBe(-1);
        deepest = Math.max(deepest, depth);
      } else {
        const l = f.left[i];
        expect(f.size[l] + f.size[l + 1]).toBe(f.size[i]);
        stack.push([l, depth + 1], [l + 1, depth + 1]);
      }
    }
    expect(seen.every((s) => s === 1)).toBe(true);
  }
  return deepest;
}

describe('c(n), the average path length of an unsuccessful BST search', () => {
  it('has the paper\'s values', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeGreaterThan(10.24);
    expect(averagePathLength(256)).toBeLessThan(10.25);
    // 2(ln 3 + γ) − 4/3
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.log(2) + 0.5772156649) - 4 / 3, 9);
    for (let n = 2; n < 2000; n++) expect(averagePathLength(n + 1)).toBeGreaterThan(averagePathLength(n));
  });
});

describe('fitForest / score', () => {
  const { X, isOut } = clusters(7, 6, 2000, 20);

  it('ranks 20 planted outliers above 2,000 clustered points (AUC > 0.95)', () => {
    const f = fitForest(X, 6, { seed: 42 });
    expect(f.trees).toBe(100);
    expect(f.sampleSize).toBe(256);
    expect(f.heightLimit).toBe(8);
    const s = scoreRows(f, X);
    for (const v of s) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    expect(auc(Array.from(s), isOut)).toBeGreaterThan(0.95);
    const normal = Array.from(s).filter((_, i) => !isOut[i]);
    const out = Array.from(s).filter((_, i) => isOut[i]);
    expect(normal.filter((v) => v < 0.6).length / normal.length).toBeGreaterThan(0.95);
    // The outliers are in the top 2 % of scores, and each one scores above the median normal point.
    const sorted = Array.from(s).sort((a, b) => b - a);
    const top = sorted[Math.floor(0.02 * sorted.length)];
    expect(out.filter((v) => v >= top).length).toBeGreaterThanOrEqual(18);
    const median = [...normal].sort((a, b) => a - b)[normal.length >> 1];
    expect(Math.min(...out)).toBeGreaterThan(median);
    // An outlier is isolated in fewer steps than c(ψ), a normal point in more.
    const i0 = isOut.indexOf(true);
    expect(meanPathLength(f, X, i0 * 6)).toBeLessThan(averagePathLength(256));
    expect(meanPathLength(f, new Float64Array(6), 0)).toBeGreaterThan(averagePathLength(256) * 0.8);
  });

  it('builds well-formed trees', () => {
    const f = fitForest(X, 6, { seed: 3 });
    const deepest = checkStructure(f);
    expect(deepest).toBe(f.heightLimit);
  });

  it('repeats with the same seed and differs with another', () => {
    const a = fitForest(X, 6, { seed: 11 });
    const b = fitForest(X, 6, { seed: 11 });
    const c = fitForest(X, 6, { seed: 12 });
    expect(b).toEqual(a);
    const sa = scoreRows(a, X);
    expect(scoreRows(b, X)).toEqual(sa);
    const sc = scoreRows(c, X);
    expect(sc).not.toEqual(sa);
    let differ = 0;
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sc[i]) differ++;
    expect(differ).toBeGreaterThan(sa.length / 2);
    // scoreRow and scoreRows agree.
    for (const i of [0, 5, 2010]) expect(scoreRow(a, X, i * 6)).toBe(sa[i]);
  });

  it('is invariant to scaling an attribute by a power of two (splits are relative to min..max)', () => {
    const Y = X.slice();
    for (let i = 2; i < Y.length; i += 6) Y[i] *= 4;
    const a = scoreRows(fitForest(X, 6, { seed: 5 }), X);
    const b = scoreRows(fitForest(Y, 6, { seed: 5 }), Y);
    expect(b).toEqual(a);
  });

  it('uses all rows when sampleSize > n', () => {
    const f = fitForest(X.subarray(0, 100 * 6), 6, { seed: 1, sampleSize: 256, trees: 10 });
    expect(f.sampleSize).toBe(100);
    expect(f.heightLimit).toBe(7);
    expect(f.trees).toBe(10);
    checkStructure(f);
  });

  it('stops on duplicates: ψ equal rows give one leaf of size ψ per tree and s = 0.5', () => {
    const dup = new Float64Array(500 * 3).fill(1.5);
    const f = fitForest(dup, 3, { seed: 9 });
    expect(f.attr.every((a) => a === -1)).toBe(true);
    expect(f.attr.length).toBe(100);
    expect(f.size.every((s) => s === 256)).toBe(true);
    // E[h] = c(ψ) for any row, so s = 2^-1.
    expect(scoreRow(f, dup, 0)).toBeCloseTo(0.5, 12);
    expect(scoreRow(f, [9, 9, 9])).toBeCloseTo(0.5, 12);
    // One distinct row among duplicates: isolated at once wherever it is sampled.
    const one = dup.slice();
    one.set([8, 8, 8], 0);
    const g = fitForest(one, 3, { seed: 9, sampleSize: 500 });
    expect(scoreRow(g, one, 0)).toBeGreaterThan(0.9);
    expect(scoreRow(g, one, 3)).toBeLessThan(0.5);
    checkStructure(g);
  });

  it('rejects bad input', () => {
    expect(() => fitForest(new Float64Array([1, 2, 3]), 2)).toThrow(/multiple of dims/);
    expect(() => fitForest(new Float64Array([1, 2]), 2)).toThrow(/at least 2/);
    expect(() => fitForest(new Float64Array([1, NaN, 3, 4]), 2)).toThrow(/\[0\]\[1\] is not finite/);
    expect(() => fitForest(X, 6, { trees: 0 })).toThrow(/trees/);
    expect(() => fitForest(X, 6, { sampleSize: 1 })).toThrow(/sampleSize/);
  });
});
