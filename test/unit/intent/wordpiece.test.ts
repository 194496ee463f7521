import { describe, expect, it } from 'vitest';
import { basicTokenize, parseVocab, WordPieceTokenizer } from '../../../server/intent/wordpiece.js';

// Expected tokens below were cross-checked against HF `tokenizers` (BertWordPieceTokenizer)
// with this same vocabulary; the one intended difference is noted in its test.
const VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  'i', 'want', 'a', '##a', 'refund', 'un', '##aff', '##able', '##s', 'cafe', 'café', 'Café', 'naive', 'can', 't',
  '!', '?', ',', '.', '$', "'", '密', '码', '退', '款', 'hello', 'world', 'play', '##ing', '100', '00', '5',
];
const vocab = parseVocab(`${VOCAB.join('\n')}\n`);
const uncased = new WordPieceTokenizer(vocab, { lowercase: true });
const cased = new WordPieceTokenizer(vocab, { lowercase: false });

describe('parseVocab', () => {
  it('numbers tokens by line, ignores the final newline and CRs, and lets a later duplicate win', () => {
    const v = parseVocab('[PAD]\r\nhello\r\n\nhello\n');
    expect([...v]).toEqual([['[PAD]', 0], ['hello', 3], ['', 2]]);
    expect(vocab.get('[CLS]')).toBe(2);
    expect(vocab.size).toBe(VOCAB.length);
  });
});

describe('basicTokenize', () => {
  it('lowercases and strips accents for uncased models only', () => {
    expect(basicTokenize('Café NAÏVE', { lowercase: true })).toEqual(['cafe', 'naive']);
    expect(basicTokenize('Café NAÏVE', { lowercase: false })).toEqual(['Café', 'NAÏVE']);
    expect(basicTokenize('Café', { lowercase: true, stripAccents: false })).toEqual(['café']);
    expect(basicTokenize('Café', { lowercase: false, stripAccents: true })).toEqual(['Cafe']);
    // A decomposed accent (e + U+0301) strips the same way as a composed one.
    expect(basicTokenize('Cafe\u0301', { lowercase: true })).toEqual(['cafe']);
  });

  it('splits every punctuation mark into its own token, including ASCII symbols and Unicode punctuation', () => {
    expect(basicTokenize("can't stop!!", { lowercase: true })).toEqual(['can', "'", 't', 'stop', '!', '!']);
    expect(basicTokenize('$100,00.5', { lowercase: true })).toEqual(['$', '100', ',', '00', '.', '5']);
    expect(basicTokenize('a^b`c|d~e+f=g<h>', { lowercase: true })).toEqual('a ^ b ` c | d ~ e + f = g < h >'.split(' '));
    expect(basicTokenize('¿qué? «hola» —', { lowercase: true })).toEqual(['¿', 'que', '?', '«', 'hola', '»', '—']);
  });

  it('splits CJK ideographs (also astral ones) into single characters, but not Hangul or kana', () => {
    expect(basicTokenize('密码忘了 退款', { lowercase: true })).toEqual(['密', '码', '忘', '了', '退', '款']);
    expect(basicTokenize('ab𠀀cd', { lowercase: true })).toEqual(['ab', '𠀀', 'cd']);
    expect(basicTokenize('한국어 ひらがな', { lowercase: false })).toEqual(['한국어', 'ひらがな']);
    // As in BERT, accent stripping also drops the kana voicing mark (U+3099 is a combining mark).
    expect(basicTokenize('ひらがな', { lowercase: true })).toEqual(['ひらかな']);
  });

  it('drops control characters and treats any Unicode space as a separator', () => {
    expect(basicTokenize('x\u0000y\u200bz\ufffd', { lowercase: true })).toEqual(['xyz']);
    expect(basicTokenize(' hello\u00a0world\tplay\ning\u3000 ', { lowercase: true })).toEqual(['hello', 'world', 'play', 'ing']);
    expect(basicTokenize('   ', { lowercase: true })).toEqual([]);
  });
});

describe('WordPieceTokenizer', () => {
  it('splits words greedily, longest match first, with ## continuations', () => {
    expect(uncased.tokenize('Unaffable refunds, playing')).toEqual(['un', '##aff', '##able', 'refund', '##s', ',', 'play', '##ing']);
    expect(cased.tokenize('Café')).toEqual(['Café']);
    expect(uncased.tokenize('Café')).toEqual(['cafe']);
  });

  it('turns a word with any unmatched part, or longer than 100 characters, into one [UNK]', () => {
    // "refund" matches but "##refund" does not: the whole word is unknown, not "refund [UNK]".
    expect(uncased.tokenize('refundrefund I')).toEqual(['[UNK]', 'i']);
    expect(uncased.tokenize('zebra')).toEqual(['[UNK]']);
    expect(uncased.tokenize('a'.repeat(100))).toEqual(['a', ...Array(99).fill('##a')]);
    expect(uncased.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
  });

  it('tokenizes special tokens typed in a message as plain text (HF would honour them)', () => {
    expect(uncased.tokenize('[SEP] i')).toEqual(['[UNK]', '[UNK]', '[UNK]', 'i']);
  });

  it('encodes [CLS] pieces [SEP], truncating the end and optionally padding', () => {
    const id = (t: string) => vocab.get(t)!;
    expect(uncased.encode('I want a refund!', 16)).toEqual({
      inputIds: [id('[CLS]'), id('i'), id('want'), id('a'), id('refund'), id('!'), id('[SEP]')],
      attentionMask: [1, 1, 1, 1, 1, 1, 1],
      tokenTypeIds: [0, 0, 0, 0, 0, 0, 0],
    });
    expect(uncased.encode('I want a refund!', 5).inputIds).toEqual([id('[CLS]'), id('i'), id('want'), id('a'), id('[SEP]')]);
    expect(uncased.encode('', 4, { pad: true })).toEqual({
      inputIds: [id('[CLS]'), id('[SEP]'), id('[PAD]'), id('[PAD]')],
      attentionMask: [1, 1, 0, 0],
      tokenTypeIds: [0, 0, 0, 0],
    });
    expect(uncased.encode('退款 zebra', 8).inputIds).toEqual([id('[CLS]'), id('退'), id('款'), id('[UNK]'), id('[SEP]')]);
    expect(() => uncased.encode('hi', 1)).toThrow(RangeError);
  });

  it('refuses a vocabulary without the special tokens encoding needs', () => {
    expect(() => new WordPieceTokenizer(parseVocab('[CLS]\n[SEP]\nhello\n'), { lowercase: true })).toThrow(
      expect.objectContaining({ code: 'SB_ERR_VALIDATION', message: expect.stringContaining('[PAD], [UNK]') }),
    );
  });
});
