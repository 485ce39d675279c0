'use strict';
// Runs the bundled CLI (dist/berth.cjs) or TUI (dist/tui.cjs) from V8's code
// cache, so a command spends its time on its work and not on compiling
// berth. A bundle's cache sits beside it and holds the functions that the
// commands run so far have compiled: after a command whose verb the cache
// has not seen yet, it is written again (atomically, best effort: a
// read-only install just runs without it).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const dist = path.join(__dirname, '../dist');

/** Part of every cache's header: a change to how the loader wraps or reads a bundle makes old caches unusable. */
const LOADER_FORMAT = 'v1';

/** Compiles one bundle (from its cache when that matches) and returns its exports and a function that saves the cache. */
function loadBundle(name, verb) {
  const file = path.join(dist, name);
  let source;
  let stamp;
  try {
    // the stamp from the descriptor that was read, so a rebuild in between cannot pair old text with a new stamp
    const fd = fs.openSync(file, 'r');
    try {
      const stat = fs.fstatSync(fd);
      stamp = `${LOADER_FORMAT}:${stat.size}:${stat.mtimeMs}`;
      source = fs.readFileSync(fd, 'latin1'); // esbuild writes ASCII only
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    process.stderr.write(`berth: cannot read ${file}: ${err.code === 'ENOENT' ? 'it is missing' : err.message}; run 'npm run setup' to build berth\n`);
    process.exit(125);
  }
  // The cache file: one line naming the bundle it was made from (loader format, size, mtime) and the verbs it has seen, then V8's data.
  const cacheFile = `${file}.cache`;
  let cachedData;
  let verbs = [];
  try {
    const bytes = fs.readFileSync(cacheFile);
    const newline = bytes.indexOf(10);
    const [madeFrom, seen] = bytes.toString('latin1', 0, newline).split(' ');
    if (madeFrom === stamp) {
      verbs = seen.split(',');
      cachedData = bytes.subarray(newline + 1);
    }
  } catch {
    cachedData = undefined;
  }
  // No import() inside: with cached code it fails here (scripts/bundle.mjs refuses a bundle that has one).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dist);
  let fresh = cachedData === undefined || script.cachedDataRejected;
  const saveCache = () => {
    if (!fresh && verbs.includes(verb)) return;
    // A temporary file of this process's own, opened before V8 serialises anything: where it cannot be
    // made (a read-only install) the command pays nothing and runs uncached.
    const tmp = `${cacheFile}.${process.pid}-${Math.random().toString(36).slice(2)}`;
    let fd;
    try {
      fd = fs.openSync(tmp, 'wx', 0o644);
    } catch {
      return;
    }
    try {
      const known = fresh ? [verb] : [...verbs, verb];
      fs.writeSync(fd, Buffer.concat([Buffer.from(`${stamp} ${known.join(',')}\n`, 'latin1'), script.createCachedData()]));
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(tmp, cacheFile);
      fresh = false;
      verbs = known;
    } catch {
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
    }
  };
  return { exports: module.exports, saveCache };
}

/**
 * The verb, for the cache's bookkeeping: the first word that is not a global option. Only a word
 * that can be a command counts (a typo is not worth a cache rewrite, nor a header it could break).
 */
function verbOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') i++;
    else if (!argv[i].startsWith('-')) return /^[a-z][a-z-]{0,19}$/.test(argv[i]) ? argv[i] : '?';
  }
  return '';
}

/**
 * The TUI bundle (which holds main() too) and Yoga, Ink's layout engine. dist/yoga.cjs and
 * dist/yoga.wasm are Yoga's module and bytes (scripts/bundle.mjs). The bundle's 'yoga-layout' is
 * globalThis.__berthYoga, filled in once the WebAssembly is instantiated (`layoutReady`): it
 * compiles on V8's background threads while this thread compiles the bundle, and the TUI opens
 * its engine before it waits for it.
 */
async function loadTuiBundle() {
  let yoga;
  try {
    const { loadYoga } = require(path.join(dist, 'yoga.cjs'));
    yoga = loadYoga(fs.readFileSync(path.join(dist, 'yoga.wasm')));
  } catch (err) {
    process.stderr.write(`berth: cannot load Yoga from ${dist}: ${err.code === 'MODULE_NOT_FOUND' || err.code === 'ENOENT' ? 'it is missing' : err.message}; run 'npm run setup' to build berth\n`);
    process.exit(125);
  }
  const yogaExports = (globalThis.__berthYoga = {});
  const layoutReady = yoga.then((instance) => {
    Object.assign(yogaExports, instance);
  });
  // one turn of the loop: Yoga hands its bytes to the compiler before the bundle takes this thread
  await new Promise((resolve) => setImmediate(resolve));
  const tui = loadBundle('tui.cjs', 'tui');
  // Saved once the TUI is up, not only when it quits: a session that ends by a dropped SSH link
  // still leaves the next start its cache, and the cache holds what starting needs.
  setTimeout(tui.saveCache, 2000).unref();
  return { ...tui, layoutReady };
}

async function run(argv) {
  // `berth` alone on a terminal opens the TUI: then the TUI bundle is the only one loaded. A wrong
  // guess costs only time; either bundle's main() decides what to run.
  const verb = verbOf(argv);
  const { isatty } = require('node:tty');
  const tuiLikely = verb === '' && !argv.some((a) => /^-(h|v|-help|-version)$/.test(a)) && isatty(0) && isatty(1);
  const first = tuiLikely ? await loadTuiBundle() : loadBundle('berth.cjs', verb);
  let tui = tuiLikely ? first : undefined;
  const loadTui = async () => (tui ??= await loadTuiBundle()).exports;
  try {
    return await first.exports.main(argv, { loadTui, tuiLayoutReady: () => tui?.layoutReady });
  } finally {
    first.saveCache();
    if (tui && tui !== first) tui.saveCache();
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`berth: ${err?.stack ?? err}\n`);
    process.exitCode = 125;
  },
);
