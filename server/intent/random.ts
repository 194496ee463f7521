/** Seeded randomness for training: the same seed gives the same split, order and model. */

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Splits row numbers `0..labels.length-1` so each label keeps about `fraction` of its rows in
 * `validation` (at least one when the label has two or more rows). Both lists come back sorted.
 */
export function stratifiedSplit(labels: readonly string[], fraction: number, seed: number): { train: number[]; validation: number[] } {
  const random = seededRandom(seed);
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const rows = byLabel.get(label) ?? [];
    rows.push(i);
    byLabel.set(label, rows);
  });
  const train: number[] = [];
  const validation: number[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const rows = shuffleInPlace(byLabel.get(label)!, random);
    const take = fraction <= 0 || rows.length < 2 ? 0 : Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * fraction)));
    validation.push(...rows.slice(0, take));
    train.push(...rows.slice(take));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}
