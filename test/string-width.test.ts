/**
 * The TUI bundle's string-width shortcut must agree with string-width itself
 * (both copies Ink's packages use) on every character it answers for.
 */
import test from 'ava';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { diffAnsiCodes, styledCharsFromTokens, tokenize } from '@alcalzone/ansi-tokenize';
import { graphemes, lazyGraphemeSegmenter, ONE_COLUMN_EACH, oneColumnEachWidth, sameStyles, type StringWidth } from '../src/app/tui/string-width.js';
import { repoRoot } from './helpers/berth.js';

const copies = ['node_modules/string-width/index.js', 'node_modules/wrap-ansi/node_modules/string-width/index.js'];

async function load(file: string): Promise<StringWidth> {
  return (await import(pathToFileURL(path.join(repoRoot, file)).href)).default as StringWidth;
}

/** Every code point the shortcut's class admits. */
function admitted(): string[] {
  const chars: string[] = [];
  for (let cp = 0; cp <= 0x3000; cp++) {
    const ch = String.fromCodePoint(cp);
    if (ONE_COLUMN_EACH.test(ch)) chars.push(ch);
  }
  return chars;
}

for (const file of copies) {
  test(`one column each, as ${file} says`, async (t) => {
    const real = await load(file);
    const chars = admitted();
    t.true(chars.length > 400);
    const wrong = chars.filter((ch) => real(ch) !== 1).map((ch) => `U+${ch.codePointAt(0)!.toString(16)}`);
    t.deepEqual(wrong, []);
    // in sequence too: the pane borders, the charts, a status line
    for (const s of ['╭─ [1] Containers ↓name ──╮', '│busybox  late… 5f0431770946│', '⣀⣤⣶⣿ ● ≥ 3×', 'Up 3 minutes · 10.0 MB — §']) t.is(real(s), s.length);
    const styled = '\x1b[90m│\x1b[39m\x1b[1m\x1b[36mNAME\x1b[39m\x1b[22m \x1b[38;5;245m…\x1b[0m';
    t.is(real(styled), 7);
    t.is(oneColumnEachWidth(() => t.fail() as never)(styled), 7);
  });
}

test('anything else goes to string-width itself', async (t) => {
  let loads = 0;
  const real = await load(copies[0]);
  const width = oneColumnEachWidth(() => {
    loads++;
    return real;
  });
  t.is(width('plain ascii │ box'), 17);
  t.is(width('\x1b[31mred\x1b[39m'), 3);
  t.is(loads, 0);
  t.is(width('日本'), 4);
  t.is(width('\x1b]8;;http://x\x07link\x1b]8;;\x07'), 4);
  t.is(width('e\u0301'), 1);
  t.is(width('·', { ambiguousIsNarrow: false }), 2);
  t.is(loads, 1);
});

test('graphemes: plain text per code unit, as Intl.Segmenter splits it; anything else by Intl.Segmenter', (t) => {
  const intl = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const split = (segments: Iterable<{ segment: string; index: number }>) => Array.from(segments, ({ segment, index }) => [segment, index]);
  const ours = graphemes();
  const samples = [
    admitted().join(''),
    '\x1b[90m│\x1b[39m\x1b[1m\x1b[36mNAME\x1b[39m\x1b[22m ⣀⣤ ●  ≥ 3× …\x1b[0m',
    'e\u0301 👍🏽 日本 \r\n',
    '\x1b]8;;http://x\x07link\x1b]8;;\x07',
    '',
  ];
  for (const s of samples) t.deepEqual(split(ours.segment(s)), split(intl.segment(s)), JSON.stringify(s.slice(0, 40)));
  const lazy = lazyGraphemeSegmenter().segment('ae\u0301');
  t.deepEqual(lazy.containing(1)?.segment, 'e\u0301');
});

test('sameStyles: the styles it calls the same have an empty diff in ansi-tokenize, and equal ones are called the same', (t) => {
  // rows as Ink's Text makes them (chalk: colours, bold, dim, inverse, background, 256 colours)
  const rows = [
    '\x1b[90m│\x1b[39m\x1b[1m\x1b[36mNAME\x1b[39m\x1b[22m   \x1b[32mUp 3 minutes\x1b[39m \x1b[38;5;245m…\x1b[0m',
    '\x1b[7mselected row\x1b[27m plain \x1b[2m\x1b[1mdim bold\x1b[22m\x1b[22m \x1b[30m\x1b[43mmatch\x1b[49m\x1b[39m',
    '\x1b[1m\x1b[2mboth\x1b[22m \x1b[31m\x1b[1mred bold\x1b[22m\x1b[39m \x1b[31mred\x1b[39m \x1b[91mbright\x1b[39m',
  ];
  const styles = rows.flatMap((row) => styledCharsFromTokens(tokenize(row)).map((c) => c.styles));
  let same = 0;
  for (const a of styles) {
    for (const b of styles) {
      if (sameStyles(a, b)) {
        same++;
        t.deepEqual(diffAnsiCodes(a, b), [], `${JSON.stringify(a)} → ${JSON.stringify(b)}`);
      } else t.notDeepEqual(a, b);
    }
  }
  t.true(same > styles.length);
});
