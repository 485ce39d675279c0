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
 */
export const ONE_COLUMN_EACH = /^[\u0020-\u007E\u00A0-\u00A8\u00AA-\u00AC\u00AF-\u00FF\u2010-\u2027\u2070-\u209C\u2190-\u2193\u2264\u2265\u2500-\u259F\u25CF\u2800-\u28FF]*$/;

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
