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
/** No code point below U+1100 (the first Hangul Jamo) is Han, Kana or Hangul, so most text skips the regex. */
const FIRST_CJK = 0x1100;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** NFKC, lower case, and every run of digits collapsed to one `0`. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\p{Nd}+/gu, '0');
}

/**
 * Advances the FNV-1a state `h` over the UTF-8 bytes of code point `cp`, as `TextEncoder`
 * would encode it (a lone surrogate becomes U+FFFD), without encoding into a buffer.
 */
function fnvCodePoint(h: number, cp: number): number {
  if (cp < 0x80) return Math.imul(h ^ cp, FNV_PRIME);
  if (cp < 0x800) {
    h = Math.imul(h ^ (0xc0 | (cp >> 6)), FNV_PRIME);
    return Math.imul(h ^ (0x80 | (cp & 0x3f)), FNV_PRIME);
  }
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
  if (cp < 0x10000) {
    h = Math.imul(h ^ (0xe0 | (cp >> 12)), FNV_PRIME);
  } else {
    h = Math.imul(h ^ (0xf0 | (cp >> 18)), FNV_PRIME);
    h = Math.imul(h ^ (0x80 | ((cp >> 12) & 0x3f)), FNV_PRIME);
  }
  h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), FNV_PRIME);
  return Math.imul(h ^ (0x80 | (cp & 0x3f)), FNV_PRIME);
}

/** The FNV-1a state `h` advanced over the UTF-8 bytes of `s`. */
function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    h = fnvCodePoint(h, cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return h;
}

/** 32-bit FNV-1a over the UTF-8 bytes of `s`; stable across platforms and releases. */
export function fnv1a(s: string): number {
  return fnvString(FNV_OFFSET, s) >>> 0;
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

// FNV-1a states after the feature prefixes, so a feature's hash continues from its prefix.
const AFTER_W = fnvString(FNV_OFFSET, 'w:');
const AFTER_B = fnvString(FNV_OFFSET, 'b:');
const AFTER_B_START = fnvString(FNV_OFFSET, 'b:<s> ');
const AFTER_C = fnvString(FNV_OFFSET, 'c:');
const WORD_OPEN = 0x3c; // '<'
const WORD_CLOSE = 0x3e; // '>'

/**
 * Scratch space reused by every `featurize` call (it is synchronous, so calls never overlap):
 * the code points of the text's words, where each word starts, and the buckets hit.
 * Serving featurizes one short message per call; not allocating per feature keeps the
 * garbage collector, and with it the latency tail, quiet.
 */
let codePoints = new Int32Array(256);
let wordStarts = new Int32Array(64);
let hits = new Uint32Array(1024);
let hitCount = 0;
/** Scratch grown past this many entries by one huge text is dropped afterwards rather than kept. */
const SCRATCH_KEPT = 1 << 16;

function shrinkScratch(): void {
  if (codePoints.length > SCRATCH_KEPT) codePoints = new Int32Array(256);
  if (wordStarts.length > SCRATCH_KEPT) wordStarts = new Int32Array(64);
  if (hits.length > SCRATCH_KEPT) hits = new Uint32Array(1024);
}

function hit(h: number, buckets: number): void {
  if (hitCount === hits.length) {
    const grown = new Uint32Array(hits.length * 2);
    grown.set(hits);
    hits = grown;
  }
  hits[hitCount++] = (h >>> 0) % buckets;
}

function hashCodePoints(h: number, from: number, to: number): number {
  for (let k = from; k < to; k++) h = fnvCodePoint(h, codePoints[k]!);
  return h;
}

/** Fills `codePoints`/`wordStarts` with the words of `words`; returns the number of words. */
function loadWords(words: readonly string[]): number {
  let total = 0;
  for (const word of words) total += word.length;
  if (codePoints.length < total) codePoints = new Int32Array(Math.max(total, codePoints.length * 2));
  if (wordStarts.length < words.length + 1) wordStarts = new Int32Array(Math.max(words.length + 1, wordStarts.length * 2));
  let at = 0;
  for (let w = 0; w < words.length; w++) {
    wordStarts[w] = at;
    const word = words[w]!;
    for (let i = 0; i < word.length; ) {
      const cp = word.codePointAt(i)!;
      codePoints[at++] = cp;
      i += cp > 0xffff ? 2 : 1;
    }
  }
  wordStarts[words.length] = at;
  return words.length;
}

/**
 * Collects into `hits` the bucket of every string `featureStrings(text, config)` returns
 * (hashed from the code points, the same multiset of buckets without building the strings).
 * Needs integral `charMinN ≥ 1` and integral `buckets` in 1..2^31.
 */
function hashFeatures(text: string, config: FeaturizerConfig): void {
  const { buckets, charMinN, charMaxN, wordBigrams } = config;
  const count = loadWords(normalizeText(text).match(WORD) ?? []);
  hitCount = 0;
  for (let w = 0; w < count; w++) {
    const start = wordStarts[w]!;
    const end = wordStarts[w + 1]!;
    hit(hashCodePoints(AFTER_W, start, end), buckets);
    if (wordBigrams) {
      const before = w === 0 ? AFTER_B_START : fnvCodePoint(hashCodePoints(AFTER_B, wordStarts[w - 1]!, start), 0x20);
      hit(hashCodePoints(before, start, end), buckets);
    }
    // Character n-grams of `<word>`: position 0 is '<', 1..len the word, len + 1 is '>'.
    const len = end - start;
    const span = len + 2;
    for (let s = 0; s < span; s++) {
      let h = AFTER_C;
      const longest = Math.min(charMaxN, span - s);
      for (let n = 1; n <= longest; n++) {
        const p = s + n - 1;
        h = fnvCodePoint(h, p === 0 ? WORD_OPEN : p === span - 1 ? WORD_CLOSE : codePoints[start + p - 1]!);
        if (n >= charMinN) hit(h, buckets);
      }
    }
    for (let k = start; k < end; k++) {
      const cp = codePoints[k]!;
      if (cp >= FIRST_CJK && CJK.test(String.fromCodePoint(cp))) hit(fnvCodePoint(AFTER_C, cp), buckets);
    }
  }
  if (wordBigrams && count > 0) hit(fnvString(hashCodePoints(AFTER_B, wordStarts[count - 1]!, wordStarts[count]!), ' </s>'), buckets);
}

function hashesCodePoints(config: FeaturizerConfig): boolean {
  const { buckets, charMinN } = config;
  return Number.isInteger(charMinN) && charMinN >= 1 && Number.isInteger(buckets) && buckets >= 1 && buckets <= 2 ** 31;
}

/** `featurize` spelled out over the feature strings; unusual settings take this path. */
function featurizeStrings(text: string, config: FeaturizerConfig): Features {
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

/**
 * Hashes `text` into sparse features: weight per bucket is 1 + ln(count), and the vector is
 * scaled to unit L2 norm. An empty text yields no features (the model then predicts from its bias).
 * The result equals hashing every string of `featureStrings` with `fnv1a` modulo `buckets`.
 */
export function featurize(text: string, config: FeaturizerConfig = DEFAULT_FEATURIZER): Features {
  if (!hashesCodePoints(config)) return featurizeStrings(text, config);
  hashFeatures(text, config);
  const sorted = hits.subarray(0, hitCount).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const indices = new Int32Array(distinct);
  const weights = new Float32Array(distinct);
  let norm = 0;
  for (let i = 0, d = 0; i < sorted.length; d++) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const w = 1 + Math.log(j - i);
    indices[d] = sorted[i]!;
    weights[d] = w;
    norm += w * w;
    i = j;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < weights.length; i++) weights[i]! *= scale;
  shrinkScratch();
  return { indices, weights };
}
