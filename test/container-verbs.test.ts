/**
 * The container verbs through the real CLI, checked against what Docker
 * documents: output shapes, columns, exit codes and one-line errors of logs,
 * ps, create/start/wait, restart/pause, restart policies, exec, top,
 * inspect, diff, commit, stats, rename, port, prune, cp, rm and kill.
 *
 * Each test has its own store root. Containers synchronise with the test
 * through files they wait for (`while [ ! -f /go ]`) or through what they
 * print, never through fixed sleeps on the test's side.
 */
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { berthProcess, finished, requireRoot, tempDir, type Result } from './helpers/berth.js';
import { containerRoot, removeCgroupParent } from './helpers/containers.js';

test.after.always(removeCgroupParent);

/**
 * At most this many tests of the file run at once. Every test starts Node
 * processes (CLI, shims), mounts overlays and syncs SQLite; all 30-odd at
 * once on 2 cores thrash and take about twice as long as a few at a time.
 */
const PARALLEL_TESTS = 3;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(body: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL_TESTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await body();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const rootOnly = requireRoot(test);
/** A root-only test that waits for one of PARALLEL_TESTS slots. */
function rootTest(title: string, body: (t: ExecutionContext) => Promise<void>): void {
  rootOnly(title, (t) => slot(() => body(t)));
}

// ---------------------------------------------------------------- helpers

/**
 * The CLI may hang on an engine bug (see the concurrent-start test); a hung
 * command fails its test after this long instead of stalling the whole file.
 */
const COMMAND_TIMEOUT_MS = 90_000;

/** helpers/berth.ts's berth(), with a time limit: a command still running after it is killed and reported. */
function berth(root: string, ...args: string[]): Promise<Result> {
  return berthWithin(COMMAND_TIMEOUT_MS, root, ...args);
}

async function berthWithin(limitMs: number, root: string, ...args: string[]): Promise<Result> {
  const child = berthProcess(root, ...args);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, limitMs);
  try {
    const r = await finished(child);
    if (timedOut) r.stderr += `[test] berth ${args.join(' ')} did not finish within ${limitMs / 1000}s and was killed\n`;
    return r;
  } finally {
    clearTimeout(timer);
  }
}

async function berthOk(root: string, ...args: string[]): Promise<string> {
  const r = await berth(root, ...args);
  if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/**
 * helpers/containers.ts's eventually(), with room for a loaded machine (60 s
 * unless told) and a polling interval: checks that run the CLI cost a Node
 * start each, so they poll every 300 ms rather than every 20.
 */
async function eventually(check: () => boolean | Promise<boolean>, ms = 60_000, what = 'condition', interval = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(interval);
  }
}

function eventuallyCli(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  return eventually(check, ms, what, 300);
}

async function inspectState(root: string, name: string): Promise<Record<string, unknown>> {
  return (await inspect(root, name)).State as Record<string, unknown>;
}

/**
 * An exec retried (up to 10 times) until `accept` likes its result; the last
 * result. exec sometimes loses output or its exit code (reported; the test
 * "exec never loses …" checks exactly that), so tests of what exec's flags
 * mean use this to look past the loss.
 */
async function execUntil(root: string, accept: (r: Result) => boolean, ...args: string[]): Promise<Result> {
  let r = await berth(root, 'exec', ...args);
  for (let i = 1; i < 10 && !accept(r); i++) r = await berth(root, 'exec', ...args);
  return r;
}

type Row = Record<string, string>;

/**
 * A Docker-style table (left-aligned columns, at least 3 spaces apart) as one
 * record per row, keyed by the header texts given in `columns`, in order.
 */
function parseTable(text: string, columns: readonly string[]): { header: string; rows: Row[] } {
  const lines = text.replace(/\n$/, '').split('\n');
  const header = lines[0] ?? '';
  const starts: number[] = [];
  let from = 0;
  for (const c of columns) {
    const at = header.indexOf(c, from);
    if (at < 0) throw new Error(`column ${c} not found in header: ${header}`);
    starts.push(at);
    from = at + c.length;
  }
  const rows = lines.slice(1).filter((l) => l.trim() !== '').map((line) => {
    const row: Row = {};
    columns.forEach((c, i) => (row[c] = line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()));
    return row;
  });
  return { header, rows };
}

const PS_COLUMNS = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'] as const;
const TOP_COLUMNS = ['UID', 'PID', 'CONTAINER PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'] as const;
const STATS_COLUMNS = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'] as const;

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/** `r` failed with exit code `code` and exactly one stderr line matching `message`. */
function failsWithOneLine(t: ExecutionContext, r: Result, code: number, message: RegExp, what: string): void {
  t.is(r.code, code, `${what}: exit code (stderr: ${r.stderr})`);
  t.regex(r.stderr, message, what);
  t.is(r.stderr.trim().split('\n').length, 1, `${what}: one line of stderr, got: ${r.stderr}`);
}

async function runD(root: string, ...args: string[]): Promise<string> {
  return (await berthOk(root, 'run', '-d', ...args)).trim();
}

async function inspect(root: string, name: string): Promise<Record<string, any>> {
  return (JSON.parse(await berthOk(root, 'inspect', '--type', 'container', name)) as Record<string, any>[])[0];
}

async function logsOf(root: string, name: string): Promise<string> {
  return berthOk(root, 'logs', name);
}

async function idOf(root: string, name: string): Promise<string> {
  return (await berthOk(root, 'inspect', '--type', 'container', '-f', '{{.Id}}', name)).trim();
}

/** Waits until the container has printed `text` (stdout or stderr), watching its json-file log. */
async function printed(root: string, name: string, text: string, ms = 60_000): Promise<void> {
  const id = await idOf(root, name);
  const file = path.join(root, 'containers', id, `${id}-json.log`);
  await eventually(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(JSON.stringify(text).slice(1, -1)), ms, `${name} to print ${JSON.stringify(text)}`);
}

/** A path inside the container's merged root as the host sees it (running containers only). */
async function inContainer(root: string, name: string, containerPath: string): Promise<string> {
  return path.join((await inspect(root, name)).GraphDriver.Data.MergedDir as string, containerPath);
}

/** The json-file log lines of a container (current file only). */
function logFileEntries(root: string, id: string, suffix = ''): Record<string, unknown>[] {
  return lines(fs.readFileSync(path.join(root, 'containers', id, `${id}-json.log${suffix}`), 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A shell loop that exits 0 on SIGTERM (PID 1 ignores an untrapped TERM), waking every 50 ms. */
const IDLE = "trap 'exit 0' TERM; while :; do sleep 0.05; done";

/** Writes an incrementing counter to /count forever; exits 0 on SIGTERM. */
const COUNTER = "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo $i > /count; sleep 0.02; done";

/** The counter file as it is (it may be caught empty, mid-write). */
function counterText(root: string, id: string): string {
  try {
    return fs.readFileSync(path.join(root, 'containers', id, 'upper', 'count'), 'utf8');
  } catch {
    return '';
  }
}

/** The counter's value, or NaN while the file is being rewritten. */
function readCounter(root: string, id: string): number {
  const text = counterText(root, id).trim();
  return text === '' ? NaN : Number(text);
}

async function counterValue(root: string, id: string): Promise<number> {
  let value = NaN;
  await eventually(() => !Number.isNaN((value = readCounter(root, id))), 60_000, 'a readable counter');
  return value;
}

const RFC3339_NANO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

// ---------------------------------------------------------------- logs

rootTest('logs: stdout and stderr stay apart; --tail N; -t RFC3339Nano; json-file lines are {log, stream, time}', async (t) => {
  const root = await containerRoot(t);
  const sep = await berth(root, 'run', '--name', 'sep', 'busybox', 'sh', '-c', 'echo out; echo err >&2');
  const nums = await berth(root, 'run', '--name', 'nums', 'busybox', 'seq', '1', '10');
  // the attached run already keeps the streams apart
  t.is(sep.code, 0);
  t.is(sep.stdout, 'out\n');
  t.is(sep.stderr, 'err\n');
  t.is(nums.code, 0);

  const logs = await berth(root, 'logs', 'sep');
  t.is(logs.code, 0);
  t.is(logs.stdout, 'out\n');
  t.is(logs.stderr, 'err\n');

  t.is(await berthOk(root, 'logs', '--tail', '3', 'nums'), '8\n9\n10\n');
  t.is(await berthOk(root, 'logs', '-n', '1', 'nums'), '10\n');
  t.is(await berthOk(root, 'logs', '--tail', '0', 'nums'), '');
  t.is(await berthOk(root, 'logs', '--tail', 'all', 'nums'), Array.from({ length: 10 }, (_, i) => `${i + 1}\n`).join(''));
  t.is(await berthOk(root, 'logs', '--tail', '100', 'nums'), Array.from({ length: 10 }, (_, i) => `${i + 1}\n`).join(''));

  const stamped = lines(await berthOk(root, 'logs', '-t', '--tail', '2', 'nums'));
  t.is(stamped.length, 2);
  for (const [i, line] of stamped.entries()) {
    const [stamp, text] = line.split(' ');
    t.regex(stamp, RFC3339_NANO, line);
    t.is(text, String(9 + i));
  }
  const stampedErr = await berth(root, 'logs', '-t', 'sep');
  t.regex(stampedErr.stdout, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z out\n$/);
  t.regex(stampedErr.stderr, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z err\n$/);

  const id = (await berthOk(root, 'inspect', '-f', '{{.Id}}', 'sep')).trim();
  const entries = logFileEntries(root, id);
  // two pipes: their relative order in the file is not defined
  t.deepEqual(
    entries.map((e) => ({ log: e.log, stream: e.stream })).sort((a, b) => String(a.log).localeCompare(String(b.log))),
    [
      { log: 'err\n', stream: 'stderr' },
      { log: 'out\n', stream: 'stdout' },
    ],
  );
  for (const e of entries) {
    t.deepEqual(Object.keys(e).sort(), ['log', 'stream', 'time']);
    t.regex(String(e.time), RFC3339_NANO);
  }
});

rootTest('logs -t: timestamps never go backwards (Docker stamps each line with the wall clock)', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '--name', 'many', 'busybox', 'seq', '1', '3000');
  const stamped = lines(await berthOk(root, 'logs', '-t', 'many'));
  t.is(stamped.length, 3000);
  const stamps = stamped.map((l) => l.split(' ')[0]);
  t.true(stamps.every((s) => RFC3339_NANO.test(s)));
  // Fixed-width RFC3339Nano in UTC sorts as text in time order.
  const backwards = stamps.flatMap((s, i) => (i > 0 && s < stamps[i - 1] ? [`line ${i + 1}: ${stamps[i - 1]} then ${s}`] : []));
  t.deepEqual(backwards.slice(0, 3), [], `${backwards.length} timestamps go backwards`);
});

rootTest('logs --since/--until: an RFC3339 time between two outputs splits them; a relative --since 10m keeps all', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'split', 'busybox', 'sh', '-c', 'echo first; while [ ! -f /go ]; do sleep 0.02; done; echo second');
  await printed(root, 'split', 'first');
  // "first" was stamped before we saw it; "second" is printed only after /go exists, which is after this instant.
  const between = new Date(Date.now() + 1).toISOString();
  await berthOk(root, 'exec', 'split', 'touch', '/go');
  t.is((await berthOk(root, 'wait', 'split')).trim(), '0');
  t.is(await berthOk(root, 'logs', '--since', between, 'split'), 'second\n');
  t.is(await berthOk(root, 'logs', '--until', between, 'split'), 'first\n');
  t.is(await berthOk(root, 'logs', '--since', '10m', 'split'), 'first\nsecond\n');
  t.is(await berthOk(root, 'logs', '--until', '10m', 'split'), '');
  // a Unix timestamp (seconds, with a fraction) is accepted too
  t.is(await berthOk(root, 'logs', '--since', String(Date.parse(between) / 1000), 'split'), 'second\n');
});

rootTest('logs --since/--until a line\'s own RFC3339Nano timestamp: inclusive, at nanosecond precision as Docker compares', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '--name', 'dense', 'busybox', 'seq', '1', '2000');
  const stamped = lines(await berthOk(root, 'logs', '-t', 'dense')).map((l) => {
    const [time, text] = l.split(' ');
    return { time, text };
  });
  t.is(stamped.length, 2000);
  const pivot = stamped[1000].time;
  // What Docker prints: entries whose time is not before --since / not after --until (compared in ns).
  const expectSince = stamped.filter((e) => e.time >= pivot).map((e) => `${e.text}\n`).join('');
  const expectUntil = stamped.filter((e) => e.time <= pivot).map((e) => `${e.text}\n`).join('');
  const since = await berthOk(root, 'logs', '--since', pivot, 'dense');
  const until = await berthOk(root, 'logs', '--until', pivot, 'dense');
  t.is(lines(since).length, lines(expectSince).length, `--since ${pivot}`);
  t.is(lines(until).length, lines(expectUntil).length, `--until ${pivot}`);
});

rootTest('logs -f follows a container printing over time and ends by itself when it exits, with every line', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'talker', 'busybox', 'sh', '-c', 'echo line1; while [ ! -f /go ]; do sleep 0.02; done; for i in 2 3 4 5 6; do echo line$i; sleep 0.1; done; echo oops >&2');
  await printed(root, 'talker', 'line1');
  const follower = berthProcess(root, 'logs', '-f', 'talker');
  const limit = setTimeout(() => follower.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  t.teardown(() => clearTimeout(limit));
  let seen = '';
  follower.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
  const done = finished(follower);
  await eventually(() => seen.includes('line1'), 60_000, 'logs -f to print the first line');
  t.false(seen.includes('line2'));
  await berthOk(root, 'exec', 'talker', 'touch', '/go');
  const r = await done; // ends on its own when the container exits
  t.is(r.code, 0, `logs -f ${r.signal === 'SIGKILL' ? 'did not end by itself' : 'failed'}: ${r.stderr}`);
  t.is(seen, 'line1\nline2\nline3\nline4\nline5\nline6\n');
  t.is(r.stderr, 'oops\n');
  t.is((await inspectState(root, 'talker')).Status, 'exited');
});

rootTest('--log-opt max-size=1k --log-opt max-file=2 rotates into -json.log and -json.log.1 only', async (t) => {
  const root = await containerRoot(t);
  const id = await runD(root, '--name', 'chatty', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'for i in $(seq 1 300); do echo "line $i of a chatty container"; done');
  t.is((await berthOk(root, 'wait', id)).trim(), '0');
  const dir = path.join(root, 'containers', id);
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('-json.log')).sort(), [`${id}-json.log`, `${id}-json.log.1`]);
  for (const suffix of ['', '.1']) {
    const size = fs.statSync(path.join(dir, `${id}-json.log${suffix}`)).size;
    t.true(size > 0 && size < 2048, `${suffix || 'current'} file is ${size} bytes`);
    for (const e of logFileEntries(root, id, suffix)) {
      t.deepEqual(Object.keys(e).sort(), ['log', 'stream', 'time']);
      t.is(e.stream, 'stdout');
      t.regex(String(e.log), /^line \d+ of a chatty container\n$/);
      t.regex(String(e.time), RFC3339_NANO);
    }
  }
  // logs reads both files: a contiguous run of lines ending at the last one
  const shown = lines(await logsOf(root, id)).map((l) => Number(/^line (\d+) /.exec(l)?.[1]));
  t.true(shown.length > 1 && shown.length < 300);
  t.is(shown.at(-1), 300);
  t.deepEqual(shown, shown.map((_, i) => 300 - shown.length + 1 + i));
  t.is(await berthOk(root, 'logs', '--tail', '1', id), 'line 300 of a chatty container\n');
  const inspected = await inspect(root, id);
  t.deepEqual(inspected.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '2' } });
});

// ---------------------------------------------------------------- ps

rootTest('ps: -a, -q, -n, -l, --no-trunc, filters, --format, STATUS texts and the quoted COMMAND', async (t) => {
  const root = await containerRoot(t);
  // oldest to newest: exited (3), running, paused, created
  const exited = (await berthOk(root, 'create', '--name', 'ex3', 'busybox', 'sh', '-c', 'exit 3')).trim();
  t.is((await berth(root, 'start', '-a', 'ex3')).code, 3);
  const up = await runD(root, '--name', 'upper', 'busybox', 'sleep', '300');
  const paused = await runD(root, '--name', 'pz', 'busybox', 'sh', '-c', IDLE);
  await berthOk(root, 'pause', 'pz');
  const created = (await berthOk(root, 'create', '--name', 'fresh', 'busybox', 'echo', 'a command much longer than twenty characters')).trim();
  for (const id of [exited, up, paused, created]) t.regex(id, /^[0-9a-f]{64}$/);
  t.is((await inspectState(root, 'ex3')).ExitCode, 3);

  // default: running and paused only, newest first
  const ps = await berthOk(root, 'ps');
  const table = parseTable(ps, PS_COLUMNS);
  t.regex(table.header, /^CONTAINER ID {3}IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
  t.deepEqual(table.rows.map((r) => r.NAMES), ['pz', 'upper']);
  const upRow = table.rows.find((r) => r.NAMES === 'upper')!;
  t.is(upRow['CONTAINER ID'], up.slice(0, 12));
  t.is(upRow.IMAGE, 'busybox');
  t.is(upRow.COMMAND, '"sleep 300"');
  t.regex(upRow.STATUS, /^Up (Less than a second|1 second|\d+ seconds|About a minute|\d+ minutes)$/);
  t.regex(upRow.CREATED, / ago$/);
  t.regex(table.rows.find((r) => r.NAMES === 'pz')!.STATUS, /^Up .+ \(Paused\)$/);

  const all = parseTable(await berthOk(root, 'ps', '-a'), PS_COLUMNS).rows;
  t.deepEqual(all.map((r) => r.NAMES), ['fresh', 'pz', 'upper', 'ex3']);
  const byName = Object.fromEntries(all.map((r) => [r.NAMES, r]));
  t.regex(byName.ex3.STATUS, /^Exited \(3\) (Less than a second|1 second|\d+ seconds|About a minute|\d+ minutes) ago$/);
  t.is(byName.fresh.STATUS, 'Created');
  // COMMAND: Go-quoted, truncated to 20 characters with an ellipsis
  t.is(byName.fresh.COMMAND, '"echo a command much…"');
  t.is(byName.ex3.COMMAND, '"sh -c exit 3"');

  t.deepEqual(lines(await berthOk(root, 'ps', '-q')), [paused, up].map((id) => id.slice(0, 12)));
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq')), [created, paused, up, exited].map((id) => id.slice(0, 12)));
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--no-trunc')), [created, paused, up, exited]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-q', '-n', '2')), [created, paused].map((id) => id.slice(0, 12)));
  t.deepEqual(lines(await berthOk(root, 'ps', '-q', '-l')), [created.slice(0, 12)]);
  const latest = parseTable(await berthOk(root, 'ps', '-l', '--no-trunc'), PS_COLUMNS).rows;
  t.is(latest.length, 1);
  t.is(latest[0]['CONTAINER ID'], created);
  t.is(latest[0].COMMAND, '"echo a command much longer than twenty characters"');

  t.deepEqual(lines(await berthOk(root, 'ps', '-q', '--filter', 'status=exited')), [exited.slice(0, 12)]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--filter', 'status=exited')), [exited.slice(0, 12)]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--filter', 'status=paused')), [paused.slice(0, 12)]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--filter', 'status=created')), [created.slice(0, 12)]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--filter', 'status=running')), [up.slice(0, 12)]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--filter', 'name=ex')), [exited.slice(0, 12)]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '-f', 'name=upper', '-f', 'status=running')), [up.slice(0, 12)]);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--filter', 'ancestor=busybox')), [created, paused, up, exited].map((id) => id.slice(0, 12)));

  const formatted = lines(await berthOk(root, 'ps', '-a', '--format', '{{.ID}} {{.Names}} {{.Status}}'));
  t.is(formatted.length, 4);
  t.regex(formatted[0], new RegExp(`^${created.slice(0, 12)} fresh Created$`));
  t.regex(formatted[3], new RegExp(`^${exited.slice(0, 12)} ex3 Exited \\(3\\) .+ ago$`));
  const tabled = parseTable(await berthOk(root, 'ps', '-a', '--format', 'table {{.Names}}\t{{.Status}}'), ['NAMES', 'STATUS']);
  t.regex(tabled.header, /^NAMES {5}STATUS$/); // Docker's tabwriter: columns at least 10 wide
  t.deepEqual(tabled.rows.map((r) => r.NAMES), ['fresh', 'pz', 'upper', 'ex3']);
  t.regex(tabled.rows[1].STATUS, /\(Paused\)$/);

  const bad = await berth(root, 'ps', '--filter', 'bogus=1');
  failsWithOneLine(t, bad, 1, /invalid filter 'bogus'/, 'ps --filter bogus=1');
});

rootTest('ps --filter ancestor: a tag with :latest, and containers of images built on top (Docker matches descendants)', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '--name', 'base', 'busybox', 'sh', '-c', 'echo x > /x');
  await berthOk(root, 'commit', 'base', 'child:1');
  const child = (await berthOk(root, 'create', '--name', 'kid', 'child:1', 'true')).trim();
  const base = (await berthOk(root, 'inspect', '-f', '{{.Id}}', 'base')).trim();
  const ancestors = async (value: string) => lines(await berthOk(root, 'ps', '-aq', '--filter', `ancestor=${value}`)).sort();
  const both = [child, base].map((id) => id.slice(0, 12)).sort();
  t.deepEqual(
    { 'child:1': await ancestors('child:1'), 'busybox:latest': await ancestors('busybox:latest'), busybox: await ancestors('busybox') },
    { 'child:1': [child.slice(0, 12)], 'busybox:latest': both, busybox: both },
  );
});

// ---------------------------------------------------------------- lifecycle

rootTest('create, start, wait; start -a prints and exits with the code; restart gives a new StartedAt', async (t) => {
  const root = await containerRoot(t);
  const id = (await berthOk(root, 'create', '--name', 'later', 'busybox', 'sh', '-c', 'echo from-later; exit 5')).trim();
  t.regex(id, /^[0-9a-f]{64}$/);
  const fresh = await inspect(root, 'later');
  t.is(fresh.State.Status, 'created');
  t.is(fresh.State.StartedAt, '0001-01-01T00:00:00Z');
  t.is(await berthOk(root, 'start', 'later'), 'later\n');
  t.is(await berthOk(root, 'wait', 'later'), '5\n');
  t.is(await logsOf(root, 'later'), 'from-later\n');
  const exited = await inspectState(root, 'later');
  t.is(exited.Status, 'exited');
  t.is(exited.ExitCode, 5);

  await berthOk(root, 'create', '--name', 'attached', 'busybox', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 4');
  const attached = await berth(root, 'start', '-a', 'attached');
  t.is(attached.code, 4);
  t.is(attached.stdout, 'to-out\n');
  t.is(attached.stderr, 'to-err\n');
  t.is(await berthOk(root, 'wait', 'attached'), '4\n');

  await runD(root, '--name', 'again', 'busybox', 'sh', '-c', `echo started; ${IDLE}`);
  await printed(root, 'again', 'started');
  const before = await inspectState(root, 'again');
  t.is(await berthOk(root, 'restart', '-t', '10', 'again'), 'again\n');
  const after = await inspectState(root, 'again');
  t.is(after.Status, 'running');
  t.is(after.Running, true);
  t.not(after.StartedAt, before.StartedAt);
  t.true(Date.parse(after.StartedAt as string) >= Date.parse(before.StartedAt as string));
  t.not(after.Pid, before.Pid);
  t.true(fs.existsSync(`/proc/${after.Pid as number}`));
  await eventuallyCli(async () => (await logsOf(root, 'again')) === 'started\nstarted\n', 'the restarted container to print again');
  // restart of a stopped container starts it
  t.is(await berthOk(root, 'restart', 'later'), 'later\n');
  t.is(await berthOk(root, 'wait', 'later'), '5\n');
  t.is(await logsOf(root, 'later'), 'from-later\nfrom-later\n');
});

rootTest('pause freezes the processes (a counter makes no progress), ps shows (Paused), unpause resumes, stop of a paused container works', async (t) => {
  const root = await containerRoot(t);
  const frozen = await runD(root, '--name', 'frozen', 'busybox', 'sh', '-c', COUNTER);
  const clock = await runD(root, '--name', 'clock', 'busybox', 'sh', '-c', COUNTER);
  await eventually(() => readCounter(root, frozen) > 0, 60_000, 'the counter to start');
  t.is(await berthOk(root, 'pause', 'frozen'), 'frozen\n');
  t.is((await inspectState(root, 'frozen')).Status, 'paused');
  t.is((await inspectState(root, 'frozen')).Paused, true);
  const status = lines(await berthOk(root, 'ps', '--filter', 'name=frozen', '--format', '{{.Status}}'));
  t.is(status.length, 1);
  t.regex(status[0], /^Up .+ \(Paused\)$/);

  // Frozen mid-write the file may even be empty; whatever it holds must not change.
  const before = counterText(root, frozen);
  // Work elsewhere: the other counter advances 20 steps while this one is frozen.
  const clockStart = await counterValue(root, clock);
  await eventually(() => readCounter(root, clock) >= clockStart + 20, 60_000, 'the unpaused counter to advance');
  t.is(counterText(root, frozen), before);

  const again = await berth(root, 'pause', 'frozen');
  failsWithOneLine(t, again, 1, /is already paused/, 'pause of a paused container');
  const execPaused = await berth(root, 'exec', 'frozen', 'true');
  failsWithOneLine(t, execPaused, 1, /paused|not running/, 'exec into a paused container');

  t.is(await berthOk(root, 'unpause', 'frozen'), 'frozen\n');
  t.is((await inspectState(root, 'frozen')).Status, 'running');
  await eventually(() => { const now = counterText(root, frozen); return now !== before && now !== ''; }, 60_000, 'the counter to resume');
  const notPaused = await berth(root, 'unpause', 'frozen');
  failsWithOneLine(t, notPaused, 1, /is not paused/, 'unpause of a running container');

  await berthOk(root, 'pause', 'frozen');
  t.is(await berthOk(root, 'stop', '-t', '10', 'frozen'), 'frozen\n');
  const stopped = await inspectState(root, 'frozen');
  t.is(stopped.Status, 'exited');
  t.is(stopped.Paused, false);
  t.is(stopped.ExitCode, 0); // the TERM trap ran: the container was thawed before the signal
  t.deepEqual(lines(await berthOk(root, 'ps', '-q')), [clock.slice(0, 12)]);
});

// ---------------------------------------------------------------- restart policies and --rm

rootTest('--restart on-failure:2 restarts a failing command twice, then leaves it exited', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo attempt; exit 1');
  t.is(await berthOk(root, 'wait', 'flaky'), '1\n'); // returns once the shim has given up
  const c = await inspect(root, 'flaky');
  t.is(c.RestartCount, 2);
  t.is(c.State.Status, 'exited');
  t.is(c.State.ExitCode, 1);
  t.deepEqual(c.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
  t.is(await logsOf(root, 'flaky'), 'attempt\nattempt\nattempt\n');
  // on-failure does not restart a success
  await runD(root, '--name', 'fine', '--restart', 'on-failure:2', 'busybox', 'true');
  t.is(await berthOk(root, 'wait', 'fine'), '0\n');
  t.is((await inspect(root, 'fine')).RestartCount, 0);
});

rootTest('--restart always restarts a process that exits on its own; stop stops it for good', async (t) => {
  const root = await containerRoot(t);
  // First run exits 0 by itself; every later run idles (the marker lives in the container's layer).
  await runD(root, '--name', 'phoenix', '--restart', 'always', 'busybox', 'sh', '-c', `echo start; [ -f /once ] || { touch /once; exit 0; }; ${IDLE}`);
  await eventuallyCli(async () => {
    const c = await inspect(root, 'phoenix');
    return c.RestartCount === 1 && c.State.Status === 'running';
  }, 'the container to be restarted once');
  t.is(await logsOf(root, 'phoenix'), 'start\nstart\n');
  t.is(await berthOk(root, 'stop', '-t', '10', 'phoenix'), 'phoenix\n');
  // logs -f returns once the shim, the only thing that restarts containers, has let go.
  await berthOk(root, 'logs', '-f', 'phoenix');
  const c = await inspect(root, 'phoenix');
  t.is(c.State.Status, 'exited');
  t.is(c.RestartCount, 1);
  t.is(await logsOf(root, 'phoenix'), 'start\nstart\n');
  t.deepEqual(lines(await berthOk(root, 'ps', '-q')), []);
});

rootTest('--rm: run --rm removes the container before returning its exit code; run -d --rm removes it after exit', async (t) => {
  const root = await containerRoot(t);
  const fg = await berth(root, 'run', '--rm', '--name', 'gone-fg', 'busybox', 'sh', '-c', 'echo bye; exit 6');
  t.is(fg.code, 6);
  t.is(fg.stdout, 'bye\n');
  t.is(await berthOk(root, 'ps', '-aq', '--filter', 'name=gone-fg'), '');

  const id = await runD(root, '--rm', '--name', 'gone-bg', 'busybox', 'sh', '-c', 'while [ ! -f /go ]; do sleep 0.02; done');
  const inspected = await inspect(root, 'gone-bg');
  t.is(inspected.HostConfig.AutoRemove, true);
  await berthOk(root, 'exec', 'gone-bg', 'touch', '/go');
  await eventually(() => !fs.existsSync(path.join(root, 'containers', id)), 60_000, 'the container to be removed');
  t.is(await berthOk(root, 'ps', '-aq', '--filter', 'name=gone-bg'), '');
  t.false(fs.existsSync(path.join(root, 'containers', id)));
  failsWithOneLine(t, await berth(root, 'inspect', '--type', 'container', 'gone-bg'), 1, /No such object: gone-bg/, 'inspect of a removed container');
  t.false(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(id));
});

rootTest('wait on a run -d --rm container prints its exit code, not 0', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--rm', '--name', 'rmwait', 'busybox', 'sh', '-c', 'while [ ! -f /go ]; do sleep 0.02; done; exit 4');
  const waiter = berthProcess(root, 'wait', 'rmwait');
  const limit = setTimeout(() => waiter.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  t.teardown(() => clearTimeout(limit));
  let exitedEarly = false;
  waiter.on('exit', () => (exitedEarly = true));
  const result = finished(waiter);
  // Let `wait` find the container (it has the store open) before the container exits and disappears.
  const hasStoreOpen = () => {
    try {
      return fs.readdirSync(`/proc/${waiter.pid}/fd`).some((fd) => {
        try {
          return fs.readlinkSync(`/proc/${waiter.pid}/fd/${fd}`).endsWith('/berth.db');
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  await eventually(() => exitedEarly || hasStoreOpen(), 60_000, 'wait to open the store');
  t.false(exitedEarly, 'wait returned before the container exited');
  await berthOk(root, 'exec', 'rmwait', 'touch', '/go');
  const r = await result;
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '4\n');
  await eventuallyCli(async () => (await berthOk(root, 'ps', '-aq')) === '', 'the container to be removed');
});

rootTest('concurrent starts into one root while a spare shim waits: every run -d finishes', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'first', 'busybox', 'true'); // a detached start leaves a spare shim behind
  await eventually(() => fs.existsSync(path.join(root, 'spare.sock')), 60_000, 'a spare shim');
  const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => berthWithin(45_000, root, 'run', '-d', '--name', `c${i}`, 'busybox', 'sh', '-c', IDLE)));
  t.deepEqual(
    runs.flatMap((r, i) => (r.code === 0 ? [] : [`c${i}: ${r.code ?? r.signal} ${r.stderr.trim()}`])),
    [],
  );
  t.is(lines(await berthOk(root, 'ps', '-q')).length, 10);
});

// ---------------------------------------------------------------- exec and top

rootTest('exec: output, exit codes, -e, -u, -w, -d; a missing command is 127; a stopped container refuses', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'host', 'busybox', 'sh', '-c', IDLE);
  await berthOk(root, 'run', '--name', 'dead', 'busybox', 'true');

  // (each exec is retried past lost output: the loss itself is the next test's subject)
  const stdoutOf = async (expected: string, ...args: string[]) => (await execUntil(root, (r) => r.code === 0 && r.stdout === expected, ...args)).stdout;
  t.is(await stdoutOf('hello from exec\n', 'host', 'echo', 'hello from exec'), 'hello from exec\n');
  t.is(await stdoutOf('bar qux\n', '-e', 'FOO=bar', '--env', 'BAZ=qux', 'host', 'sh', '-c', 'echo $FOO $BAZ'), 'bar qux\n');
  t.is(await stdoutOf('65534\n', '-u', '65534', 'host', 'id', '-u'), '65534\n');
  t.is(await stdoutOf('/tmp\n', '-w', '/tmp', 'host', 'pwd'), '/tmp\n');
  // the defaults: root, in the container's working directory, without the exec's variables
  t.is(await stdoutOf('0\n/\n[]\n', 'host', 'sh', '-c', 'id -u; pwd; echo "[$FOO]"'), '0\n/\n[]\n');

  const five = await execUntil(root, (r) => r.code === 5, 'host', 'sh', '-c', 'echo to-err >&2; exit 5');
  t.is(five.code, 5, five.stderr);
  t.is(five.stdout, '');
  const missing = await execUntil(root, (r) => r.code === 127, 'host', 'nosuch');
  failsWithOneLine(t, missing, 127, /exec: "nosuch": executable file not found in \$PATH/, 'exec nosuch');
  const notExecutable = await execUntil(root, (r) => r.code === 126, 'host', '/etc/passwd');
  failsWithOneLine(t, notExecutable, 126, /permission denied/, 'exec of a non-executable file');

  const detached = await berth(root, 'exec', '-d', 'host', 'sleep', '1234');
  t.is(detached.code, 0, detached.stderr);
  t.is(detached.stdout, '');
  await eventuallyCli(async () => (await berthOk(root, 'top', 'host')).includes('sleep 1234'), 'the detached exec to show in top');
  t.is((await inspectState(root, 'host')).Status, 'running');

  const stopped = await berth(root, 'exec', 'dead', 'true');
  failsWithOneLine(t, stopped, 1, /is not running/, 'exec into a stopped container');
});

rootTest('exec never loses its output or its exit code (30 quick commands)', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'busy', 'busybox', 'sh', '-c', IDLE);
  const results: Result[] = [];
  for (let batch = 0; batch < 6; batch++) {
    results.push(...(await Promise.all(Array.from({ length: 5 }, (_, i) => berth(root, 'exec', 'busy', 'sh', '-c', `echo out${batch * 5 + i}; echo err >&2; exit 3`)))));
  }
  const wrong = results.flatMap((r, i) =>
    r.code === 3 && r.stdout === `out${i}\n` && r.stderr === 'err\n' ? [] : [`exec ${i}: code ${r.code}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`],
  );
  t.deepEqual(wrong, [], `${wrong.length} of ${results.length} execs lost output or exit code`);
});

rootTest('top: PID and CONTAINER PID columns; PID 1 is the command, with the host PID inspect reports', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'tops', 'busybox', 'sh', '-c', `sleep 777 & ${IDLE}`);
  await eventuallyCli(async () => (await berthOk(root, 'top', 'tops')).includes('sleep 777'), 'the child to show in top');
  const { header, rows } = parseTable(await berthOk(root, 'top', 'tops'), TOP_COLUMNS);
  t.regex(header, /^UID\s+PID\s+CONTAINER PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  const pid1 = rows.find((r) => r['CONTAINER PID'] === '1');
  t.truthy(pid1);
  t.is(pid1!.CMD, `sh -c sleep 777 & ${IDLE}`);
  t.is(pid1!.UID, 'root');
  t.is(pid1!.PID, (await berthOk(root, 'inspect', '-f', '{{.State.Pid}}', 'tops')).trim());
  const child = rows.find((r) => r.CMD === 'sleep 777');
  t.truthy(child);
  t.is(child!.PPID, pid1!.PID);
  t.not(child!['CONTAINER PID'], '1');
  t.true(fs.existsSync(`/proc/${child!.PID}`), `host pid ${child!.PID}`);

  await berthOk(root, 'stop', '-t', '10', 'tops');
  failsWithOneLine(t, await berth(root, 'top', 'tops'), 1, /is not running/, 'top of a stopped container');
});

// ---------------------------------------------------------------- inspect, diff, commit

rootTest("inspect: Docker's shape, -f templates, and config.json/hostconfig.json on disk", async (t) => {
  const root = await containerRoot(t);
  const id = await runD(root, '--name', 'shape', '-e', 'FOO=bar', '--memory', '64m', '--restart', 'on-failure:3', 'busybox', 'sh', '-c', IDLE);
  const c = await inspect(root, 'shape');
  t.is(c.Id, id);
  t.is(c.Name, '/shape');
  t.is(c.Path, 'sh');
  t.deepEqual(c.Args, ['-c', IDLE]);
  t.regex(c.Image, /^sha256:[0-9a-f]{64}$/);
  t.false(Number.isNaN(Date.parse(c.Created)));
  t.is(c.RestartCount, 0);
  t.is(c.State.Status, 'running');
  t.is(c.State.Running, true);
  t.is(c.State.Paused, false);
  t.is(c.State.OOMKilled, false);
  t.is(c.State.ExitCode, 0);
  t.true(Number.isInteger(c.State.Pid) && c.State.Pid > 0);
  t.true(fs.existsSync(`/proc/${c.State.Pid as number}`));
  t.false(Number.isNaN(Date.parse(c.State.StartedAt)));
  t.is(c.State.FinishedAt, '0001-01-01T00:00:00Z');
  t.deepEqual(c.Config.Cmd, ['sh', '-c', IDLE]);
  t.true((c.Config.Env as string[]).includes('FOO=bar'));
  t.is(c.Config.Image, 'busybox');
  t.is(c.Config.Hostname, id.slice(0, 12));
  t.deepEqual(c.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  t.is(c.HostConfig.Memory, 64 * 1024 * 1024);
  t.is(c.HostConfig.AutoRemove, false);
  t.is(c.GraphDriver.Name, 'overlay');
  t.true(fs.statSync(c.GraphDriver.Data.UpperDir as string).isDirectory());
  t.true(fs.existsSync(path.join(c.GraphDriver.Data.MergedDir as string, 'bin/busybox')));
  t.is(c.LogPath, path.join(root, 'containers', id, `${id}-json.log`));

  t.is(await berthOk(root, 'inspect', '-f', '{{.State.Status}}', 'shape'), 'running\n');
  t.is(await berthOk(root, 'inspect', '-f', '{{.Name}} {{.HostConfig.Memory}} {{.State.Running}}', id.slice(0, 12)), '/shape 67108864 true\n');
  t.is(await berthOk(root, 'container', 'inspect', '-f', '{{json .HostConfig.RestartPolicy}}', 'shape'), '{"Name":"on-failure","MaximumRetryCount":3}\n');

  const dir = path.join(root, 'containers', id);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, any>;
  const hostConfig = JSON.parse(fs.readFileSync(path.join(dir, 'hostconfig.json'), 'utf8')) as Record<string, any>;
  t.deepEqual(hostConfig, c.HostConfig);
  t.deepEqual(config.Config, c.Config);
  t.is(config.Name, '/shape');

  const missing = await berth(root, 'inspect', 'nosuchthing');
  t.is(missing.code, 1);
  t.is(missing.stdout.trim(), '[]');
  t.regex(missing.stderr, /^Error: No such object: nosuchthing\n$/);
});

rootTest("diff: Docker's A/C/D lines for an added, a deleted and a changed file", async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '--name', 'changer', 'busybox', 'sh', '-c', 'touch /new; rm /etc/group; echo x >> /etc/passwd');
  t.deepEqual(lines(await berthOk(root, 'diff', 'changer')).sort(), ['A /new', 'C /etc', 'C /etc/passwd', 'D /etc/group']);
});

rootTest('diff: a container that changed nothing has no changes (hostname/hosts/resolv.conf are mounts, not changes)', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '--name', 'idle', 'busybox', 'true');
  t.is(await berthOk(root, 'diff', 'idle'), '');
});

rootTest('commit -m -a -c: prints the ID, lists the image, history has the message, the new CMD runs; untagged commit; missing container', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'run', '--name', 'maker', 'busybox', 'sh', '-c', 'echo committed > /new; rm /etc/group');
  const out = await berthOk(root, 'commit', '-m', 'added /new', '-a', 'Ann <ann@example.com>', '-c', 'CMD ["cat","/new"]', 'maker', 'repo:tag');
  t.regex(out, /^sha256:[0-9a-f]{64}\n$/);
  const id = out.trim();
  const images = parseTable(await berthOk(root, 'images'), ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']).rows;
  const row = images.find((r) => r.REPOSITORY === 'repo');
  t.truthy(row);
  t.is(row!.TAG, 'tag');
  t.is(row!['IMAGE ID'], id.slice(7, 19));

  const history = parseTable(await berthOk(root, 'history', 'repo:tag'), ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT']).rows;
  t.is(history.length, 2);
  t.is(history[0].IMAGE, id.slice(7, 19));
  t.is(history[0].COMMENT, 'added /new');
  t.is(history[1].IMAGE, '<missing>');
  const image = JSON.parse(await berthOk(root, 'inspect', '--type', 'image', 'repo:tag'))[0] as Record<string, any>;
  t.is(image.Id, id);
  t.is(image.Author, 'Ann <ann@example.com>');
  t.is(image.Comment, 'added /new');
  t.deepEqual(image.Config.Cmd, ['cat', '/new']);
  t.is(image.RootFS.Layers.length, 2);

  const ran = await berth(root, 'run', '--rm', 'repo:tag');
  t.is(ran.code, 0, ran.stderr);
  t.is(ran.stdout, 'committed\n');
  t.is((await berth(root, 'run', '--rm', 'repo:tag', 'ls', '/etc/group')).code, 1);

  const untagged = (await berthOk(root, 'commit', 'maker')).trim();
  t.regex(untagged, /^sha256:[0-9a-f]{64}$/);
  const none = parseTable(await berthOk(root, 'images'), ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']).rows.find((r) => r['IMAGE ID'] === untagged.slice(7, 19));
  t.truthy(none);
  t.is(none!.REPOSITORY, '<none>');
  t.is(none!.TAG, '<none>');

  failsWithOneLine(t, await berth(root, 'commit', 'nosuchcontainer', 'x:y'), 1, /No such container: nosuchcontainer/, 'commit of a missing container');
});

rootTest('commit leaves out the mount points of /etc/hostname, /etc/hosts and /etc/resolv.conf', async (t) => {
  const root = await containerRoot(t);
  const work = tempDir(t);
  await berthOk(root, 'run', '--name', 'plain', 'busybox', 'sh', '-c', 'echo hi > /hi');
  await berthOk(root, 'commit', 'plain', 'plain:1');
  t.is(await berthOk(root, 'run', '--rm', 'plain:1', 'cat', '/hi'), 'hi\n');
  // The committed layer itself, as `save` writes it: Docker's holds /hi only.
  const image = JSON.parse(await berthOk(root, 'inspect', '--type', 'image', 'plain:1'))[0] as Record<string, any>;
  const top = (image.RootFS.Layers as string[]).at(-1)!.slice('sha256:'.length);
  const archive = path.join(work, 'plain.tar');
  await berthOk(root, 'save', '-o', archive, 'plain:1');
  const layer = path.join(work, 'layer.tar');
  fs.writeFileSync(layer, execFileSync('tar', ['-xOf', archive, `blobs/sha256/${top}`], { maxBuffer: 64 << 20 }));
  const entries = lines(execFileSync('tar', ['-tf', layer], { encoding: 'utf8' })).map((e) => e.replace(/^\.\//, '').replace(/\/$/, '')).filter((e) => e !== '' && e !== '.');
  t.deepEqual(entries.sort(), ['hi']);
  // new empty directories are changes of their own, kept by commit
  await berthOk(root, 'run', '--name', 'dirs', 'busybox', 'mkdir', '-p', '/x/sub');
  t.regex(await berthOk(root, 'diff', 'dirs'), /^A \/x\nA \/x\/sub\n$/);
  await berthOk(root, 'commit', 'dirs', 'dirs:1');
  t.is((await berth(root, 'run', '--rm', 'dirs:1', 'test', '-d', '/x/sub')).code, 0);
});

// ---------------------------------------------------------------- stats

rootTest('stats --no-stream: Docker columns, a row per running container, the --memory limit', async (t) => {
  const root = await containerRoot(t);
  const limited = await runD(root, '--name', 'limited', '--memory', '64m', 'busybox', 'sh', '-c', IDLE);
  const free = await runD(root, '--name', 'free', 'busybox', 'sh', '-c', IDLE);
  await berthOk(root, 'run', '--name', 'over', 'busybox', 'true');
  const { header, rows } = parseTable(await berthOk(root, 'stats', '--no-stream'), STATS_COLUMNS);
  t.regex(header, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  t.deepEqual(rows.map((r) => r.NAME).sort(), ['free', 'limited']);
  const byName = Object.fromEntries(rows.map((r) => [r.NAME, r]));
  t.is(byName.limited['CONTAINER ID'], limited.slice(0, 12));
  t.is(byName.free['CONTAINER ID'], free.slice(0, 12));
  t.regex(byName.limited['MEM USAGE / LIMIT'], /^\d+(\.\d+)?(B|KiB|MiB) \/ 64MiB$/);
  t.notRegex(byName.free['MEM USAGE / LIMIT'], /\/ 64MiB$/);
  for (const r of rows) {
    t.regex(r['CPU %'], /^\d+\.\d{2}%$/);
    t.regex(r['MEM %'], /^\d+\.\d{2}%$/);
    t.regex(r['NET I/O'], /^\S+ \/ \S+$/);
    t.regex(r['BLOCK I/O'], /^\S+ \/ \S+$/);
    t.true(Number(r.PIDS) >= 1, `PIDS ${r.PIDS}`);
  }
  const one = parseTable(await berthOk(root, 'stats', '--no-stream', 'limited'), STATS_COLUMNS).rows;
  t.deepEqual(one.map((r) => r.NAME), ['limited']);
});

// ---------------------------------------------------------------- rename, port, prune

rootTest('rename: the old name is gone, the new one works, a bad or taken name is refused', async (t) => {
  const root = await containerRoot(t);
  const id = await runD(root, '--name', 'before', 'busybox', 'sh', '-c', IDLE);
  await berthOk(root, 'create', '--name', 'taken', 'busybox', 'true');
  const r = await berth(root, 'rename', 'before', 'after');
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  failsWithOneLine(t, await berth(root, 'inspect', '--type', 'container', 'before'), 1, /No such object: before/, 'inspect of the old name');
  t.is(await berthOk(root, 'inspect', '-f', '{{.Name}} {{.Id}}', 'after'), `/after ${id}\n`);
  t.regex(await berthOk(root, 'top', 'after'), /sh -c trap/);
  t.deepEqual(lines(await berthOk(root, 'ps', '--format', '{{.Names}}')), ['after']);

  failsWithOneLine(t, await berth(root, 'rename', 'after', 'bad name'), 1, /Invalid container name \(bad name\)/, 'rename to a bad name');
  failsWithOneLine(t, await berth(root, 'rename', 'after', 'taken'), 1, /The container name "\/taken" is already in use/, 'rename to a taken name');
  failsWithOneLine(t, await berth(root, 'rename', 'nosuch', 'other'), 1, /No such container: nosuch/, 'rename of a missing container');
  t.is(await berthOk(root, 'inspect', '-f', '{{.Name}}', id), '/after\n');
});

rootTest('port: no published ports prints nothing; asking for one fails with "No public port"', async (t) => {
  const root = await containerRoot(t);
  await runD(root, '--name', 'portless', 'busybox', 'sh', '-c', IDLE);
  const all = await berth(root, 'port', 'portless');
  t.is(all.code, 0, all.stderr);
  t.is(all.stdout, '');
  t.is(all.stderr, '');
  failsWithOneLine(t, await berth(root, 'port', 'portless', '80'), 1, /No public port '80\/tcp' published for portless/, 'port portless 80');
  failsWithOneLine(t, await berth(root, 'port', 'portless', '53/udp'), 1, /No public port '53\/udp' published for portless/, 'port portless 53/udp');
});

rootTest('container prune -f removes the stopped containers only', async (t) => {
  const root = await containerRoot(t);
  const running = await runD(root, '--name', 'keepme', 'busybox', 'sh', '-c', IDLE);
  await berthOk(root, 'run', '--name', 'done1', 'busybox', 'true');
  const exited = (await berthOk(root, 'inspect', '-f', '{{.Id}}', 'done1')).trim();
  const created = (await berthOk(root, 'create', '--name', 'never', 'busybox', 'true')).trim();
  const out = await berthOk(root, 'container', 'prune', '-f');
  const outLines = out.split('\n');
  t.is(outLines[0], 'Deleted Containers:');
  t.deepEqual(outLines.slice(1, 3).sort(), [exited, created].sort());
  t.regex(out, /\nTotal reclaimed space: \S+\n$/);
  t.deepEqual(lines(await berthOk(root, 'ps', '-aq', '--no-trunc')), [running]);
  t.false(fs.existsSync(path.join(root, 'containers', exited)));
  t.false(fs.existsSync(path.join(root, 'containers', created)));
  t.is((await inspectState(root, 'keepme')).Status, 'running');
  // nothing left to prune
  t.is(await berthOk(root, 'container', 'prune', '-f'), 'Total reclaimed space: 0B\n');
});

// ---------------------------------------------------------------- cp

rootTest('cp: a file and a directory, both directions, with a stopped and a running container', async (t) => {
  const root = await containerRoot(t);
  const work = tempDir(t);
  fs.writeFileSync(path.join(work, 'hostfile'), 'from the host\n');
  fs.mkdirSync(path.join(work, 'hostdir/sub'), { recursive: true });
  fs.writeFileSync(path.join(work, 'hostdir/sub/deep'), 'deep on the host\n');

  // stopped: made files while it ran; copy them out, then copy into it and start it to read them
  await berthOk(root, 'run', '--name', 'made', 'busybox', 'sh', '-c', 'echo made > /made; mkdir -p /mdir/inner; echo inner > /mdir/inner/f');
  await berthOk(root, 'cp', 'made:/made', path.join(work, 'made-out'));
  t.is(fs.readFileSync(path.join(work, 'made-out'), 'utf8'), 'made\n');
  await berthOk(root, 'cp', 'made:/mdir', path.join(work, 'mdir-out'));
  t.is(fs.readFileSync(path.join(work, 'mdir-out/inner/f'), 'utf8'), 'inner\n');
  fs.mkdirSync(path.join(work, 'into'));
  await berthOk(root, 'cp', 'made:/mdir', path.join(work, 'into'));
  t.is(fs.readFileSync(path.join(work, 'into/mdir/inner/f'), 'utf8'), 'inner\n'); // into an existing directory
  t.is(await berthOk(root, 'cp', path.join(work, 'hostfile'), 'made:/copied'), '');
  await berthOk(root, 'cp', path.join(work, 'hostdir'), 'made:/copieddir');
  await berthOk(root, 'cp', path.join(work, 'hostdir'), 'made:/mdir'); // into an existing directory
  t.is(
    lines(await berthOk(root, 'diff', 'made')).filter((l) => /copied|mdir\/hostdir$/.test(l)).sort().join('\n'),
    ['A /copied', 'A /copieddir', 'A /copieddir/sub', 'A /copieddir/sub/deep', 'A /mdir/hostdir'].join('\n'),
  );
  await berthOk(root, 'create', '--name', 'reader', 'busybox', 'sh', '-c', 'cat /copied /copieddir/sub/deep');
  await berthOk(root, 'cp', path.join(work, 'hostfile'), 'reader:/copied');
  await berthOk(root, 'cp', path.join(work, 'hostdir'), 'reader:/copieddir');
  const read = await berth(root, 'start', '-a', 'reader');
  t.is(read.stdout, 'from the host\ndeep on the host\n');
  t.is(read.code, 0);

  // running
  await runD(root, '--name', 'live', 'busybox', 'sh', '-c', `mkdir -p /ldir; echo live > /ldir/f; echo ready; ${IDLE}`);
  await printed(root, 'live', 'ready');
  await berthOk(root, 'cp', path.join(work, 'hostfile'), 'live:/tmp/');
  await berthOk(root, 'cp', path.join(work, 'hostdir'), 'live:/tmp/hd');
  t.is(fs.readFileSync(await inContainer(root, 'live', '/tmp/hostfile'), 'utf8'), 'from the host\n');
  t.is(fs.readFileSync(await inContainer(root, 'live', '/tmp/hd/sub/deep'), 'utf8'), 'deep on the host\n');
  await berthOk(root, 'cp', 'live:/ldir', path.join(work, 'ldir-out'));
  t.is(fs.readFileSync(path.join(work, 'ldir-out/f'), 'utf8'), 'live\n');
  await berthOk(root, 'cp', 'live:/ldir/f', path.join(work, 'lf'));
  t.is(fs.readFileSync(path.join(work, 'lf'), 'utf8'), 'live\n');

  failsWithOneLine(t, await berth(root, 'cp', 'live:/nosuch', path.join(work, 'x')), 1, /Could not find the file \/nosuch in container live/, 'cp of a missing container path');
  failsWithOneLine(t, await berth(root, 'cp', path.join(work, 'hostfile'), 'nosuch:/x'), 1, /No such container: nosuch/, 'cp into a missing container');
});

rootTest('cp under a volume, a bind or a tmpfs reaches what the container sees there, stopped or running', async (t) => {
  const root = await containerRoot(t);
  const work = tempDir(t);
  const bind = tempDir(t);
  fs.writeFileSync(path.join(work, 'hostfile'), 'from the host\n');
  await runD(root, '--name', 'vols', '-v', 'cpvol:/data', '-v', `${bind}:/bound`, '--tmpfs', '/scratch', 'busybox', 'sh', '-c', `echo ready; ${IDLE}`);
  await printed(root, 'vols', 'ready');
  // running: through the container's own root, mounts and all
  for (const dir of ['/data', '/bound', '/scratch']) await berthOk(root, 'cp', path.join(work, 'hostfile'), `vols:${dir}/in`);
  t.is(await berthOk(root, 'exec', 'vols', 'cat', '/data/in', '/bound/in', '/scratch/in'), 'from the host\n'.repeat(3));
  t.is(fs.readFileSync(path.join(bind, 'in'), 'utf8'), 'from the host\n');
  await berthOk(root, 'cp', 'vols:/scratch/in', path.join(work, 'from-tmpfs'));
  t.is(fs.readFileSync(path.join(work, 'from-tmpfs'), 'utf8'), 'from the host\n');
  // stopped: into the volume and the bind, not the rootfs beneath their mount points
  await berthOk(root, 'stop', '-t', '0', 'vols');
  await berthOk(root, 'cp', path.join(work, 'hostfile'), 'vols:/data/later');
  await berthOk(root, 'cp', path.join(work, 'hostfile'), 'vols:/bound/later');
  const volume = (await berthOk(root, 'volume', 'inspect', '-f', '{{.Mountpoint}}', 'cpvol')).trim();
  t.deepEqual(fs.readdirSync(volume).sort(), ['in', 'later']);
  t.deepEqual(fs.readdirSync(bind).sort(), ['in', 'later']);
  await berthOk(root, 'cp', 'vols:/data/.', path.join(work, 'data-out'));
  t.deepEqual(fs.readdirSync(path.join(work, 'data-out')).sort(), ['in', 'later']);
  t.false(lines(await berthOk(root, 'diff', 'vols')).some((l) => /later$/.test(l)), 'nothing written beneath the mount points');
});

rootTest('cp through a symlink to / inside the container stays inside the container (both directions)', async (t) => {
  const root = await containerRoot(t);
  const work = tempDir(t);
  await runD(root, '--name', 'esc', 'busybox', 'sh', '-c', `ln -s / /escape; echo ready; ${IDLE}`);
  await printed(root, 'esc', 'ready');
  const containerPasswd = fs.readFileSync(await inContainer(root, 'esc', '/etc/passwd'), 'utf8');
  t.not(containerPasswd, fs.readFileSync('/etc/passwd', 'utf8'));

  await berthOk(root, 'cp', 'esc:/escape/etc/passwd', path.join(work, 'passwd'));
  t.is(fs.readFileSync(path.join(work, 'passwd'), 'utf8'), containerPasswd);

  const marker = `berth-cp-escape-${process.pid}-${Date.now()}`;
  fs.writeFileSync(path.join(work, 'marker'), 'in\n');
  await berthOk(root, 'cp', path.join(work, 'marker'), `esc:/escape/tmp/${marker}`);
  t.false(fs.existsSync(path.join(os.tmpdir(), marker)), 'the host /tmp was written');
  t.false(fs.existsSync(path.join('/tmp', marker)), 'the host /tmp was written');
  t.is(fs.readFileSync(await inContainer(root, 'esc', `/tmp/${marker}`), 'utf8'), 'in\n');
});

rootTest("cp ctr:/escape/etc/hostname gives the container's /etc/hostname, not the host's (nor an empty mount point)", async (t) => {
  const root = await containerRoot(t);
  const work = tempDir(t);
  const id = await runD(root, '--name', 'hn', 'busybox', 'sh', '-c', `ln -s / /escape; cat /etc/hostname; ${IDLE}`);
  await printed(root, 'hn', id.slice(0, 12));
  // what the container itself reads at /etc/hostname
  const inside = await logsOf(root, 'hn');
  t.is(inside, `${id.slice(0, 12)}\n`);
  await berthOk(root, 'cp', 'hn:/escape/etc/hostname', path.join(work, 'via-link'));
  const got = fs.readFileSync(path.join(work, 'via-link'), 'utf8');
  t.not(got, fs.readFileSync('/etc/hostname', 'utf8'), "the host's /etc/hostname leaked");
  t.is(got, inside);
  await berthOk(root, 'cp', 'hn:/etc/hostname', path.join(work, 'direct'));
  t.is(fs.readFileSync(path.join(work, 'direct'), 'utf8'), inside);
});

// ---------------------------------------------------------------- rm and kill

rootTest('kill -s 9 / KILL / SIGKILL all kill; kill of a stopped container is one line, exit 1; rm -v, rm -f of a running container', async (t) => {
  const root = await containerRoot(t);
  const names = ['k-num', 'k-name', 'k-sig'];
  const ids: string[] = [];
  for (const n of names) ids.push(await runD(root, '--name', n, 'busybox', 'sleep', '300'));
  const signals = ['9', 'KILL', 'SIGKILL'];
  const killed = await Promise.all(names.map((n, i) => berth(root, 'kill', '-s', signals[i], n)));
  for (const [i, r] of killed.entries()) {
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout, `${names[i]}\n`);
  }
  for (const n of names) t.is(await berthOk(root, 'wait', n), '137\n');

  failsWithOneLine(t, await berth(root, 'kill', 'k-num'), 1, /Cannot kill container: k-num: Container [0-9a-f]{64} is not running/, 'kill of a stopped container');
  failsWithOneLine(t, await berth(root, 'kill', 'nosuch'), 1, /No such container: nosuch/, 'kill of a missing container');
  const bogus = await runD(root, '--name', 'k-bogus', 'busybox', 'sh', '-c', IDLE);
  failsWithOneLine(t, await berth(root, 'kill', '-s', 'BOGUS', 'k-bogus'), 1, /Invalid signal: BOGUS/, 'kill -s BOGUS');
  t.is((await inspectState(root, 'k-bogus')).Status, 'running');

  t.is(await berthOk(root, 'rm', '-v', 'k-num'), 'k-num\n');
  t.false(fs.existsSync(path.join(root, 'containers', ids[0])));
  const pid = (await inspectState(root, 'k-bogus')).Pid as number;
  t.is(await berthOk(root, 'rm', '-f', 'k-bogus'), 'k-bogus\n');
  t.false(fs.existsSync(path.join(root, 'containers', bogus)));
  t.false(fs.existsSync(`/proc/${pid}/cmdline`) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sleep'));
  t.false(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(bogus));
  t.deepEqual(lines(await berthOk(root, 'ps', '-a', '--format', '{{.Names}}')).sort(), ['k-name', 'k-sig']);
  // several at once; a missing one fails alone
  const multi = await berth(root, 'rm', 'k-name', 'nosuch', 'k-sig');
  t.is(multi.code, 1);
  t.is(multi.stdout, 'k-name\nk-sig\n');
  t.regex(multi.stderr, /^Error: No such container: nosuch\n$/);
  t.is(await berthOk(root, 'ps', '-aq'), '');
});
