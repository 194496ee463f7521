/** Delay before reconnect attempt `n` (from 0): exponential, capped, with jitter in the upper half. */
export function backoffMs(n: number, base = 500, cap = 15_000, random: () => number = Math.random): number {
  const ceiling = Math.min(cap, base * 2 ** n);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
