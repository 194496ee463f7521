/**
 * The one featurizer shared by training and serving: text → hashed sparse features.
 *
 * Normalization (NFKC, lower case, every digit run → "0"), then word unigrams and bigrams and
 * character n-grams inside word boundaries, each hashed with 32-bit FNV-1a into `buckets`
 * slots. CJK text needs no segmenter: a run of Han/Kana/Hangul characters is one "word" whose
 * single characters and character n-grams become features.
 */

/** Featurizer settings; stored in `model.json` so serving hashes exactly like training. */
export interface FeaturizerConfig {
  /** Number of hash buckets (the model's input vocabulary). Default 2^18. */
  buckets: number;
  /** Smallest character n-gram, counted with the `<` `>` word boundaries. Default 2. */
  charMinN: number;
  /** Largest character n-gram. Default 4. */
  charMaxN: number;
  /** Include word bigrams. Default true. */
  wordBigrams: boolean;
}

export const DEFAULT_FEATURIZER: FeaturizerConfig = { buckets: 1 << 18, charMinN: 2, charMaxN: 4, wordBigrams: true };

/** Sparse features of one text: sorted, distinct bucket indices and their weights (L2 norm 1). */
export interface Features {
  indices: Int32Array;
  weights: Float32Array;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const encoder = new TextEncoder();

/** NFKC, lower case, and every run of digits collapsed to one `0`. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\p{Nd}+/gu, '0');
}

/** 32-bit FNV-1a over the UTF-8 bytes of `s`; stable across platforms and releases. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The feature strings of `text`, with repeats (a repeat raises that feature's weight). */
export function featureStrings(text: string, config: FeaturizerConfig = DEFAULT_FEATURIZER): string[] {
  const words = normalizeText(text).match(WORD) ?? [];
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    out.push(`w:${word}`);
    if (config.wordBigrams) out.push(`b:${i === 0 ? '<s>' : words[i - 1]!} ${word}`);
    const chars = [...`<${word}>`];
    for (let n = config.charMinN; n <= config.charMaxN; n++) {
      for (let s = 0; s + n <= chars.length; s++) out.push(`c:${chars.slice(s, s + n).join('')}`);
    }
    // A lone CJK character often carries a word's meaning on its own.
    for (const ch of chars) if (CJK.test(ch)) out.push(`c:${ch}`);
  }
  if (config.wordBigrams && words.length > 0) out.push(`b:${words[words.length - 1]!} </s>`);
  return out;
}

/**
 * Hashes `text` into sparse features: weight per bucket is 1 + ln(count), and the vector is
 * scaled to unit L2 norm. An empty text yields no features (the model then predicts from its bias).
 */
export function featurize(text: string, config: FeaturizerConfig = DEFAULT_FEATURIZER): Features {
  const counts = new Map<number, number>();
  for (const f of featureStrings(text, config)) {
    const bucket = fnv1a(f) % config.buckets;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  const indices = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const weights = new Float32Array(indices.length);
  let norm = 0;
  indices.forEach((idx, i) => {
    const w = 1 + Math.log(counts.get(idx)!);
    weights[i] = w;
    norm += w * w;
  });
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
  return { indices, weights };
}
