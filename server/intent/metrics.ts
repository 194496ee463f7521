/** Classification quality: accuracy and macro-averaged F1 over the labels seen in either list. */
export function classificationMetrics(truth: readonly string[], predicted: readonly string[]): { n: number; accuracy: number; macroF1: number } {
  if (truth.length !== predicted.length) throw new Error('truth and predicted differ in length');
  const labels = new Set([...truth, ...predicted]);
  let correct = 0;
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    if (t === p) {
      correct++;
      bump(tp, t);
    } else {
      bump(fp, p);
      bump(fn, t);
    }
  });
  let f1Sum = 0;
  for (const label of labels) {
    const t = tp.get(label) ?? 0;
    const denom = 2 * t + (fp.get(label) ?? 0) + (fn.get(label) ?? 0);
    f1Sum += denom === 0 ? 0 : (2 * t) / denom;
  }
  const n = truth.length;
  return { n, accuracy: n === 0 ? 0 : correct / n, macroF1: labels.size === 0 ? 0 : f1Sum / labels.size };
}

/** The `q`-quantile (0..1) of `values` by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
