// Bundles the compiled CLI and TUI (dist/src) into two CommonJS files that
// bin/berth.cjs runs with V8's code cache. Node 20 resolves and compiles an
// ES module graph file by file (the CLI is ~150 modules, the TUI ~700 with
// Ink); one script per mode, compiled from a cache, starts in a fraction of
// that. The compiled modules stay the source of truth: tests import them and
// the shim runs from them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/**
 * Yoga (Ink's layout engine) instantiates its WebAssembly with a top-level
 * await, which a CommonJS bundle cannot hold: in the bundle, 'yoga-layout' is
 * an object bin/berth.cjs makes before running it and fills in once the
 * WebAssembly is instantiated. Ink reads Yoga only when it draws, and the TUI
 * awaits MainOptions.tuiLayoutReady before its first render.
 */
const yogaFromLoader = {
  name: 'yoga-from-loader',
  setup(b) {
    b.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: 'yoga-layout', namespace: 'yoga-from-loader' }));
    b.onLoad({ filter: /.*/, namespace: 'yoga-from-loader' }, () => ({
      contents:
        "if (!globalThis.__berthYoga) throw new Error('Yoga is not loaded: the TUI bundle runs under bin/berth.cjs');\n" +
        'module.exports = globalThis.__berthYoga; module.exports.default = globalThis.__berthYoga;',
      loader: 'js',
    }));
  },
};

/** src/app/tui/string-width.ts, where the TUI's text-measuring shortcuts live. */
const widthModule = JSON.stringify(path.join(dist, 'src/app/tui/string-width.js'));
/** src/app/tui/tiled-output.ts: Ink's frame composed line by line when it is made of tiles. */
const tiledOutputModule = JSON.stringify(path.join(dist, 'src/app/tui/tiled-output.js'));

/**
 * Changes to dependencies' compiled files. Each fails the build when the text
 * it changes is no longer there, so an update cannot drop one silently.
 */
const TEXT_PATCHES = [
  {
    // Ink's reconciler awaits React DevTools and its own package.json at the top level when
    // DEV=true, a debugging aid a CommonJS bundle cannot hold: left out.
    file: /[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    replacements: [
      [/if \(isDev\(\)\) \{\s*try \{\s*await import\('\.\/devtools\.js'\);[\s\S]*?\n\}\n/, ''],
      [/isDev\(\)\s*\? await loadPackageJson\(\)\s*:/, 'false ? undefined :'],
    ],
  },
  {
    // Ink's Output keeps the styled characters and widths of each line it has parsed in caches
    // that live for one render, so every frame parses every line again (most of a frame's CPU and
    // garbage when one row changed). They live across renders instead, dropped when they grow
    // large: they map a string to what a pure function made of it, and nothing writes to what they hold.
    // And a frame made of tiles (the TUI's, always) is composed line by line (tiled-output.ts).
    file: /[\\/]ink[\\/]build[\\/]output\.js$/,
    replacements: [
      [/\n    caches = new OutputCaches\(\);/, '\n    caches = sharedOutputCaches();'],
      [
        /\nclass OutputCaches \{/,
        '\nlet sharedCaches;\nfunction sharedOutputCaches() {\n    if (sharedCaches === undefined || sharedCaches.styledChars.size > 4000 || sharedCaches.widths.size > 16000 || sharedCaches.blockWidths.size > 4000)\n        sharedCaches = new OutputCaches();\n    return sharedCaches;\n}\nclass OutputCaches {',
      ],
      [
        /\n    get\(\) \{\n/,
        `\n    get() {\n        const tiled = tiledOutput(this.width, this.height, this.operations);\n        if (tiled !== undefined)\n            return tiled;\n`,
      ],
      [/^import sliceAnsi from 'slice-ansi';\n/, `import sliceAnsi from 'slice-ansi';\nimport { tiledOutput } from ${tiledOutputModule};\n`],
    ],
  },
  {
    // Ink diffs the style of every character it draws against the one before it; neighbours in
    // the same style (nearly all) have an empty diff, which string-width.ts's sameStyles sees at once.
    file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/,
    replacements: [
      [
        /\n        else \{\n            ret \+= ansiCodesToString\(diffAnsiCodes\(chars\[i - 1\]\.styles, char\.styles\)\);\n        \}/,
        `\n        else if (!sameStyles(chars[i - 1].styles, char.styles)) {\n            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));\n        }`,
      ],
      [/\nexport function styledCharsToString\(chars\) \{/, `\nimport { sameStyles } from ${widthModule};\nexport function styledCharsToString(chars) {`],
    ],
  },
  // The two packages that tokenize ANSI text for Ink create an Intl.Segmenter as they load (the
  // first one loads ICU's break rules, ~17 ms of a start), and Ink's tokenizer segments every line
  // it draws. Through string-width.ts they segment plain text per code unit (what the segmenter
  // would make of it) and create the segmenter on first need.
  {
    file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
    replacements: [[/\nconst segmenter = new Intl\.Segmenter\(undefined, \{ granularity: "grapheme" \}\);/, `\nimport { graphemes } from ${widthModule};\nconst segmenter = graphemes();`]],
  },
  {
    file: /[\\/]slice-ansi[\\/]tokenize-ansi\.js$/,
    replacements: [
      [/\nconst GRAPHEME_SEGMENTER = new Intl\.Segmenter\(undefined, \{granularity: 'grapheme'\}\);/, `\nimport { lazyGraphemeSegmenter } from ${widthModule};\nconst GRAPHEME_SEGMENTER = lazyGraphemeSegmenter();`],
    ],
  },
];

const textPatches = {
  name: 'text-patches',
  setup(b) {
    for (const { file, replacements } of TEXT_PATCHES) {
      b.onLoad({ filter: file }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        for (const [pattern, replacement] of replacements) {
          if (!pattern.test(text)) throw new Error(`${args.path}: its text changed (${pattern}); update scripts/bundle.mjs`);
          text = text.replace(pattern, replacement);
        }
        return { contents: text, loader: 'js' };
      });
    }
  },
};

/**
 * Ink (and the packages it measures text with) get string-width through
 * src/app/tui/string-width.ts, which answers plain strings itself and loads
 * the real module only for anything else.
 */
const oneColumnStringWidth = {
  name: 'one-column-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await b.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'real' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'one-column-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'one-column-string-width' }, (args) => ({
      contents: `import { oneColumnEachWidth } from ${widthModule};\nexport default oneColumnEachWidth(() => require(${JSON.stringify(args.path)}).default);\n`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * esbuild gives every module that default-imports a CommonJS module (each
 * Node built-in: 74 imports of fs, path, … in the CLI) its own copy of that
 * module's properties, ~10 ms of a command. One copy per module object is
 * enough: an ES module namespace is one object however often it is imported.
 */
async function shareInteropCopies(file) {
  const text = await readFile(file, 'utf8');
  const helper = 'var __toESM = (mod, isNodeMode, target) =>';
  if (!text.includes(helper)) throw new Error(`${file}: esbuild's __toESM helper changed; update scripts/bundle.mjs`);
  const shared = `
var __toESMCopies = [new WeakMap(), new WeakMap()];
function __toESM(mod, isNodeMode, target) {
  if (target !== undefined || mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return __toESMCopy(mod, isNodeMode, target);
  const copies = __toESMCopies[isNodeMode ? 1 : 0];
  let copy = copies.get(mod);
  if (copy === undefined) copies.set(mod, (copy = __toESMCopy(mod, isNodeMode)));
  return copy;
}
`;
  await writeFile(file, text.replace(helper, `${shared}var __toESMCopy = (mod, isNodeMode, target) =>`));
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // Native addons and packages that load files beside themselves stay ordinary requires; conf is an ES module loaded only to write settings.
  external: ['better-sqlite3', 'node-pty', 'conf', 'blessed', 'blessed-contrib', '*.node'],
  // Every module's import.meta.url reads as native.js's, which is where packageRoot is computed from.
  define: { 'import.meta.url': '__berthModuleUrl' },
  banner: { js: "const __berthModuleUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'src/engine/native.js')).href;" },
  legalComments: 'none',
};

// Code caches made for the bundles being replaced (bin/berth.cjs also checks each against its bundle).
for (const name of ['berth.cjs', 'tui.cjs']) {
  await rm(path.join(dist, `${name}.cache`), { force: true });
}

const cliBundle = path.join(dist, 'berth.cjs');
const tuiBundle = path.join(dist, 'tui.cjs');

await build({
  ...common,
  entryPoints: [path.join(dist, 'src/app/main.js')],
  outfile: cliBundle,
  // The TUI is the other bundle, handed to main() by the loader.
  external: [...common.external, './tui/run-tui.js'],
});

await build({
  ...common,
  // main() as well: `berth` alone on a terminal loads only this bundle.
  stdin: {
    contents: "export { runTui } from './src/app/tui/run-tui.js';\nexport { main } from './src/app/main.js';\n",
    resolveDir: dist,
    sourcefile: 'tui-entry.js',
  },
  outfile: tuiBundle,
  // React's production build only: the development one does several times the work per frame.
  define: { ...common.define, 'process.env.NODE_ENV': '"production"' },
  minifySyntax: true,
  plugins: [yogaFromLoader, textPatches, oneColumnStringWidth],
});

/**
 * Yoga for bin/berth.cjs to require: its Emscripten module as CommonJS and its WebAssembly as a
 * file of bytes. Yoga's own entry is an ES module (the first import() of one starts Node's ES
 * module loader, ~20 ms of a TUI start) and carries the WebAssembly as base64 that its glue
 * decodes in JavaScript; given the bytes (`wasmBinary`), the glue neither decodes nor fetches.
 */
const yogaDir = path.join(root, 'node_modules/yoga-layout/dist');
const yogaGlue = await readFile(path.join(yogaDir, 'binaries/yoga-wasm-base64-esm.js'), 'utf8');
const wasmDataUrl = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/.exec(yogaGlue);
if (!wasmDataUrl) throw new Error('yoga-layout: its WebAssembly is no longer a base64 data: URL; update scripts/bundle.mjs');
await writeFile(path.join(dist, 'yoga.wasm'), Buffer.from(wasmDataUrl[1], 'base64'));
await build({
  ...common,
  stdin: {
    contents: [
      `import loadYogaModule from ${JSON.stringify(path.join(yogaDir, 'binaries/yoga-wasm-base64-esm.js'))};`,
      `import wrapAssembly from ${JSON.stringify(path.join(yogaDir, 'src/wrapAssembly.js'))};`,
      'export async function loadYoga(wasmBinary) { return wrapAssembly(await loadYogaModule({ wasmBinary })); }',
    ].join('\n'),
    resolveDir: dist,
    sourcefile: 'yoga-entry.js',
  },
  outfile: path.join(dist, 'yoga.cjs'),
  // the glue reads import.meta.url only to find a .wasm beside it, which wasmBinary makes moot
  define: { 'import.meta.url': 'undefined' },
  banner: {},
  plugins: [
    {
      name: 'yoga-without-base64',
      setup(b) {
        b.onLoad({ filter: /yoga-wasm-base64-esm\.js$/ }, () => ({ contents: yogaGlue.replace(wasmDataUrl[0], '""'), loader: 'js' }));
      },
    },
  ],
});

for (const file of [cliBundle, tuiBundle]) await shareInteropCopies(file);

// bin/berth.cjs compiles a bundle with vm.Script, where import() of anything fails once V8's code
// cache is in use: packages loaded late are required instead (src/engine/builtins.ts). The one
// import() allowed is main()'s way to the compiled TUI, which bin/berth.cjs replaces with loadTui.
for (const file of [cliBundle, tuiBundle]) {
  const imports = (await readFile(file, 'utf8')).match(/\bimport\(\s*["'`][^"'`]*["'`]/g) ?? [];
  const unexpected = imports.filter((i) => !(file === cliBundle && i === 'import("./tui/run-tui.js"'));
  if (unexpected.length > 0) throw new Error(`${file}: import() would fail under bin/berth.cjs: ${unexpected.join(', ')}; require the module instead (onFirstUse)`);
}
