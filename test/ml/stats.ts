// Small statistics for the ml tests: a Gaussian sampler over a uniform PRNG, ROC AUC from scores
// and labels.

/** Standard normal samples (Box–Muller) from a uniform [0, 1) generator. */
export function gaussian(uniform: () => number): () => number {
  return () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** ROC AUC: the probability that a random positive scores above a random negative (ties count
 *  half), by the rank-sum (Mann–Whitney U) formula. */
export function auc(scores: number[], positive: boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const rank = new Float64Array(scores.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) rank[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0;
  let sumPos = 0;
  positive.forEach((p, i) => {
    if (p) {
      nPos++;
      sumPos += rank[i];
    }
  });
  const nNeg = scores.length - nPos;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
