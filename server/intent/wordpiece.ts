import { AppError } from '../errors.js';

/**
 * A BERT WordPiece tokenizer for HuggingFace `vocab.txt` files, following the reference
 * algorithm (google-research/bert `tokenization.py`, HF `BertTokenizer` and the `tokenizers`
 * BertNormalizer + BertPreTokenizer + WordPiece): clean → split CJK characters → whitespace
 * split → lowercase and strip accents (uncased models) → split punctuation → greedy
 * longest-match-first word pieces with `##` continuations.
 *
 * Special tokens typed by a customer (`[SEP]`, `[CLS]`) are tokenized as ordinary text, so a
 * message cannot inject control tokens into the model input.
 */

/** The tokens every BERT vocabulary must hold for encoding to work. */
export const REQUIRED_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/** Words longer than this many characters become `[UNK]` (the reference's `max_input_chars_per_word`). */
export const MAX_WORD_CHARS = 100;

export interface WordPieceOptions {
  /** Lowercase the text: true for `*-uncased` models (`do_lower_case`). */
  lowercase: boolean;
  /** Strip accents (NFD, then drop combining marks). Default: same as `lowercase`, as in BERT. */
  stripAccents?: boolean;
}

/** Model inputs for one text; all three arrays have the same length. */
export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
}

/** Parses `vocab.txt`: one token per line, id = line number from 0 (a later duplicate wins, as in HF). */
export function parseVocab(text: string): Map<string, number> {
  const lines = text.split('\n');
  // A final newline ends the last line; it does not add an empty token.
  if (lines.at(-1) === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, id) => vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, id));
  return vocab;
}

const CONTROL = /^\p{C}$/u;
const SPACE_SEPARATOR = /^\p{Zs}$/u;
const PUNCTUATION = /^\p{P}$/u;
const NONSPACING_MARK = /\p{Mn}/gu;

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE_SEPARATOR.test(ch);
}

function isControl(ch: string): boolean {
  return ch !== '\t' && ch !== '\n' && ch !== '\r' && CONTROL.test(ch);
}

/** BERT counts all non-alphanumeric ASCII (`$`, `+`, `^`, `` ` `` …) as punctuation, beyond Unicode P*. */
function isPunctuation(cp: number, ch: string): boolean {
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || PUNCTUATION.test(ch);
}

/** The CJK Unified Ideographs blocks; Hangul, Hiragana and Katakana are not among them, as in BERT. */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** BERT's BasicTokenizer: the words (and single punctuation marks and CJK characters) of `text`. */
export function basicTokenize(text: string, options: WordPieceOptions): string[] {
  const stripAccents = options.stripAccents ?? options.lowercase;
  let cleaned = '';
  // for…of walks code points, so astral CJK characters and emoji stay whole.
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    if (isWhitespace(ch)) cleaned += ' ';
    else if (isCjk(cp)) cleaned += ` ${ch} `;
    else cleaned += ch;
  }
  const tokens: string[] = [];
  for (let word of cleaned.split(/\s+/u)) {
    if (!word) continue;
    if (options.lowercase) word = word.toLowerCase();
    if (stripAccents) word = word.normalize('NFD').replace(NONSPACING_MARK, '');
    let current = '';
    for (const ch of word) {
      if (isPunctuation(ch.codePointAt(0)!, ch)) {
        if (current) tokens.push(current);
        tokens.push(ch);
        current = '';
      } else {
        current += ch;
      }
    }
    if (current) tokens.push(current);
  }
  return tokens;
}

/** Tokenizes and encodes text for a BERT-style model with a given `vocab.txt`. */
export class WordPieceTokenizer {
  readonly padId: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;

  /** Throws `SB_ERR_VALIDATION` when the vocabulary lacks a required special token. */
  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    readonly options: WordPieceOptions,
  ) {
    const missing = REQUIRED_SPECIAL_TOKENS.filter((t) => !vocab.has(t));
    if (missing.length) throw new AppError('SB_ERR_VALIDATION', `vocab.txt lacks the special token(s) ${missing.join(', ')}`);
    [this.padId, this.unkId, this.clsId, this.sepId] = REQUIRED_SPECIAL_TOKENS.map((t) => vocab.get(t)!) as [number, number, number, number];
  }

  /** The word pieces of `text`, before special tokens and truncation. */
  tokenize(text: string): string[] {
    return basicTokenize(text, this.options).flatMap((word) => this.wordPieces(word));
  }

  /** Greedy longest-match-first split of one word; the whole word is `[UNK]` when any part has no piece. */
  wordPieces(word: string): string[] {
    const chars = Array.from(word);
    if (chars.length > MAX_WORD_CHARS) return ['[UNK]'];
    const pieces: string[] = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let piece: string | undefined;
      for (; end > start; end--) {
        const candidate = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.vocab.has(candidate)) {
          piece = candidate;
          break;
        }
      }
      if (piece === undefined) return ['[UNK]'];
      pieces.push(piece);
      start = end;
    }
    return pieces;
  }

  /**
   * `[CLS] pieces… [SEP]` as ids, truncated to `maxLength` (the end of a long text is cut, as in
   * HF's default `truncation=True`), and with `pad: true` padded with `[PAD]` to `maxLength`.
   */
  encode(text: string, maxLength: number, options: { pad?: boolean } = {}): Encoding {
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new RangeError('maxLength must be an integer ≥ 2');
    const pieces = this.tokenize(text).slice(0, maxLength - 2);
    const inputIds = [this.clsId, ...pieces.map((p) => this.vocab.get(p) ?? this.unkId), this.sepId];
    const attentionMask = inputIds.map(() => 1);
    if (options.pad) {
      while (inputIds.length < maxLength) {
        inputIds.push(this.padId);
        attentionMask.push(0);
      }
    }
    return { inputIds, attentionMask, tokenTypeIds: inputIds.map(() => 0) };
  }
}
