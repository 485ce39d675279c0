/**
 * string-width answers from a grapheme segmenter and Unicode property
 * regexes (compiling those is ~30 ms of a TUI start, segmenting is a quarter
 * of every frame: Ink measures each line and every styled character). The
 * TUI's text is ASCII plus a few box-drawing and punctuation characters
 * whose width is one column each, whole strings of which need neither. The
 * TUI bundle (scripts/bundle.mjs) routes Ink's string-width through here;
 * anything else still goes to string-width itself, loaded on first need.
 */
export interface WidthOptions {
  ambiguousIsNarrow?: boolean;
  countAnsiEscapeCodes?: boolean;
}

export type StringWidth = (input: string, options?: WidthOptions) => number;

/**
 * Characters one column wide on their own and in any sequence of them: printable ASCII,
 * Latin-1 (not the soft hyphen, nor © and ®, which older string-width counts as emoji),
 * dashes, quotes, bullets and the ellipsis, superscripts, the four arrows, ≤ ≥, box
 * drawing and block elements, ●, braille (the charts).
 * East Asian "ambiguous" ones among them count as narrow, string-width's default.
 * Each is also a grapheme cluster of its own, as ESC is.
 */
const ONE_COLUMN = '\\u0020-\\u007E\\u00A0-\\u00A8\\u00AA-\\u00AC\\u00AF-\\u00FF\\u2010-\\u2027\\u2070-\\u209C\\u2190-\\u2193\\u2264\\u2265\\u2500-\\u259F\\u25CF\\u2800-\\u28FF';
export const ONE_COLUMN_EACH = new RegExp(`^[${ONE_COLUMN}]*$`);
const ONE_GRAPHEME_PER_CODE_UNIT = new RegExp(`^[\\x1b${ONE_COLUMN}]*$`);

/** Colour and style codes (SGR), which take no columns: the TUI's rows are full of them. */
const SGR = /\x1b\[[0-9;]*m/g;

export function oneColumnEachWidth(load: () => StringWidth): StringWidth {
  let stringWidth: StringWidth | undefined;
  return (input, options) => {
    if (typeof input === 'string' && options?.ambiguousIsNarrow !== false && !options?.countAnsiEscapeCodes) {
      const text = input.includes('\x1b') ? input.replace(SGR, '') : input;
      if (ONE_COLUMN_EACH.test(text)) return text.length;
    }
    return (stringWidth ??= load())(input, options);
  };
}

export interface Graphemes {
  segment(text: string): Iterable<{ segment: string; index: number }>;
}

/**
 * A grapheme segmenter for Ink's ANSI tokenizer, which segments every line
 * it draws: text of one-column characters and escape codes is split per
 * code unit, which is what Intl.Segmenter makes of it; anything else goes to
 * Intl.Segmenter, created on first need (its first creation loads ICU's
 * break rules, ~17 ms of a TUI start).
 */
export function graphemes(): Graphemes {
  const intl = lazyGraphemeSegmenter();
  return {
    segment(text) {
      if (!ONE_GRAPHEME_PER_CODE_UNIT.test(text)) return intl.segment(text);
      const parts: { segment: string; index: number }[] = new Array(text.length);
      for (let index = 0; index < text.length; index++) parts[index] = { segment: text[index], index };
      return parts;
    },
  };
}

/** Intl.Segmenter's grapheme segmenter, created on first use. */
export function lazyGraphemeSegmenter(): Pick<Intl.Segmenter, 'segment'> {
  let segmenter: Intl.Segmenter | undefined;
  return { segment: (text) => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(text) };
}

/** One ANSI code in a styled character's style, as @alcalzone/ansi-tokenize keeps it. */
export interface AnsiCode {
  code: string;
  endCode: string;
}

/**
 * True when two styled characters' styles are the same codes in the same
 * order. Ink turns each row of styled characters back into text by diffing
 * every character's style against the one before it (two Sets and arrays per
 * character, a fifth of a first frame); the TUI bundle skips the diff for
 * neighbours in the same style, nearly all of them, whose diff is empty.
 */
export function sameStyles(a: readonly AnsiCode[], b: readonly AnsiCode[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].code !== b[i].code || a[i].endCode !== b[i].endCode) return false;
  return true;
}
