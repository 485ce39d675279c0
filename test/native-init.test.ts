/**
 * berth-init and berth-nsenter driven directly, the way the shim will drive
 * them (src/native/SPEC.md): a spec file, a status FIFO, the helper spawned
 * with pipes. The rootfs is an overlay over an extracted busybox image (plus
 * a static probe program); each container gets its own upper dir, so a test
 * puts the files its "image" needs there.
 *
 * The escape suite checks that each classic way out of a container is
 * blocked, and blocked the way Docker blocks it (seccomp, capabilities,
 * masked and read-only paths, the devices cgroup, in-root path resolution,
 * the sealed helper binary).
 */
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { busyboxTar, repoRoot, requireRoot, tempDir } from './helpers/berth.js';

const rootTest = requireRoot(test, 'gcc', 'mkfifo', 'mount', 'tar');

const initBin = path.join(repoRoot, 'build/Release/berth-init');
const nsenterBin = path.join(repoRoot, 'build/Release/berth-nsenter');

/** Docker's 14 default capabilities (DESIGN §4) by number, and the mask /proc/<pid>/status shows for them. */
const DEFAULT_CAPS = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];
const DEFAULT_CAP_MASK = '00000000a80425fb';
const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug',
  '/proc/scsi', '/proc/timer_list', '/proc/timer_stats', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
/** Docker's default devices: [path, major, minor], all character devices 0666 root:root. */
const DEVICES: [string, number, number][] = [
  ['/dev/null', 1, 3], ['/dev/zero', 1, 5], ['/dev/full', 1, 7], ['/dev/random', 1, 8], ['/dev/urandom', 1, 9], ['/dev/tty', 5, 0],
];
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// ---------------------------------------------------------------------------
// The probe: one system call per invocation, printing "<op> OK" or "<op> <ERRNO NAME>".

const PROBE_C = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int report(const char *op, long rc) {
  if (rc < 0) printf("%s %s\n", op, strerrorname_np(errno));
  else printf("%s OK\n", op);
  return 0;
}

/* A clone that succeeds must not leave a second copy of the probe running. */
static long forked(long rc) {
  if (rc == 0) _exit(0);
  if (rc > 0) waitpid((pid_t)rc, NULL, 0);
  return rc;
}

struct clone_args_v0 { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; };

static int exe_attack(const char *pid) {
  char exe[64], target[256], via[64];
  snprintf(exe, sizeof exe, "/proc/%s/exe", pid);
  ssize_t n = readlink(exe, target, sizeof target - 1);
  target[n < 0 ? 0 : n] = 0;
  printf("exe %s\n", target);
  report("open-wronly-trunc", open(exe, O_WRONLY | O_TRUNC));
  int fd = open(exe, O_WRONLY);
  if (fd < 0) report("open-wronly", fd);
  else report("write", write(fd, "x", 1));
  fd = open(exe, O_RDWR);
  if (fd < 0) report("open-rdwr", fd);
  else report("pwrite", pwrite(fd, "x", 1, 0));
  fd = open(exe, O_PATH);
  snprintf(via, sizeof via, "/proc/self/fd/%d", fd);
  int again = open(via, O_WRONLY);
  if (again < 0) report("reopen-wronly", again);
  else report("reopen-write", write(again, "x", 1));
  report("truncate", truncate(exe, 0));
  return 0;
}

/*
 * The CVE-2019-5736 attack proper: take an O_PATH fd of a helper's exe while
 * it runs (pid on stdin), wait until it has exited ("go" on stdin), then
 * reopen the fd for writing: no ETXTBSY to stop that any more.
 */
static int exe_hold(void) {
  char line[64], exe[64], target[256], via[64];
  if (!fgets(line, sizeof line, stdin)) return 1;
  snprintf(exe, sizeof exe, "/proc/%d/exe", atoi(line));
  int fd = open(exe, O_PATH);
  if (fd < 0) return report("hold", fd);
  ssize_t n = readlink(exe, target, sizeof target - 1);
  target[n < 0 ? 0 : n] = 0;
  printf("holding %s\n", target);
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 1;
  snprintf(via, sizeof via, "/proc/self/fd/%d", fd);
  report("reopen-wronly-trunc", open(via, O_WRONLY | O_TRUNC));
  int w = open(via, O_WRONLY);
  if (w < 0) report("reopen-wronly", w);
  else report("write", write(w, "x", 1));
  int rw = open(via, O_RDWR);
  if (rw < 0) report("reopen-rdwr", rw);
  else report("pwrite", pwrite(rw, "x", 1, 0));
  report("truncate", truncate(via, 0));
  return 0;
}

int main(int argc, char **argv) {
  const char *op = argc > 1 ? argv[1] : "";
  char buf[4096] = {0};
  if (!strcmp(op, "keyctl")) return report(op, syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, 0));
  if (!strcmp(op, "add_key")) return report(op, syscall(SYS_add_key, "user", "berth-probe", "x", 1, -2));
  if (!strcmp(op, "request_key")) return report(op, syscall(SYS_request_key, "user", "berth-probe", NULL, 0));
  if (!strcmp(op, "bpf")) return report(op, syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, buf, 128));
  /* A bad magic: EINVAL if the call got through, EPERM if it was stopped. */
  if (!strcmp(op, "reboot")) return report(op, syscall(SYS_reboot, 0, 0, 0, NULL));
  /* An invalid time: the kernel checks it before the capability, so EPERM can only come from seccomp. */
  if (!strcmp(op, "clock_settime")) {
    struct timespec ts = {0, 2000000000};
    return report(op, syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
  }
  if (!strcmp(op, "settimeofday")) {
    struct timeval tv = {0, 2000000};
    return report(op, syscall(SYS_settimeofday, &tv, NULL));
  }
  if (!strcmp(op, "ptrace")) return report(op, ptrace(PTRACE_ATTACH, atoi(argv[2]), 0, 0));
  if (!strcmp(op, "process_vm_readv")) {
    struct iovec local = {buf, 8}, remote = {(void *)0x400000, 8};
    return report(op, syscall(SYS_process_vm_readv, atoi(argv[2]), &local, 1, &remote, 1, 0));
  }
  if (!strcmp(op, "finit_module")) return report(op, syscall(SYS_finit_module, open("/probe", O_RDONLY), "", 0));
  if (!strcmp(op, "init_module")) return report(op, syscall(SYS_init_module, buf, 64, ""));
  if (!strcmp(op, "delete_module")) return report(op, syscall(SYS_delete_module, "berth_probe_none", O_NONBLOCK));
  if (!strcmp(op, "unshare-user")) return report(op, unshare(CLONE_NEWUSER));
  if (!strcmp(op, "unshare-mnt")) return report(op, unshare(CLONE_NEWNS));
  if (!strcmp(op, "clone-newuser")) return report(op, forked(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)));
  if (!strcmp(op, "clone-newns")) return report(op, forked(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0)));
  if (!strcmp(op, "clone3")) {
    struct clone_args_v0 args = {.exit_signal = SIGCHLD};
    return report(op, forked(syscall(SYS_clone3, &args, sizeof args)));
  }
  if (!strcmp(op, "fork")) return report(op, forked(fork()));
  if (!strcmp(op, "mount")) return report(op, mount("none", "/tmp", "tmpfs", 0, NULL));
  if (!strcmp(op, "umount")) return report(op, umount2("/proc", MNT_DETACH));
  if (!strcmp(op, "pivot_root")) return report(op, syscall(SYS_pivot_root, "/", "/"));
  if (!strcmp(op, "setns")) return report(op, setns(open("/proc/self/ns/uts", O_RDONLY), 0));
  if (!strcmp(op, "userfaultfd")) return report(op, syscall(SYS_userfaultfd, 0));
  if (!strcmp(op, "perf_event_open")) return report(op, syscall(SYS_perf_event_open, buf, 0, -1, -1, 0));
  if (!strcmp(op, "open_by_handle_at")) return report(op, syscall(SYS_open_by_handle_at, AT_FDCWD, buf, O_RDONLY));
  if (!strcmp(op, "kexec_load")) return report(op, syscall(SYS_kexec_load, 0, 0, NULL, 0));
  if (!strcmp(op, "swapon")) return report(op, syscall(SYS_swapon, "/nonexistent", 0));
  if (!strcmp(op, "acct")) return report(op, syscall(SYS_acct, "/nonexistent"));
  if (!strcmp(op, "iopl")) return report(op, syscall(SYS_iopl, 0));
  if (!strcmp(op, "ioperm")) return report(op, syscall(SYS_ioperm, 0x80, 1, 0));
  if (!strcmp(op, "syslog")) return report(op, syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0));
  if (!strcmp(op, "quotactl")) return report(op, syscall(SYS_quotactl, 0, NULL, 0, NULL));
  if (!strcmp(op, "personality-odd")) return report(op, personality(READ_IMPLIES_EXEC));
  if (!strcmp(op, "personality-query")) return report(op, personality(0xffffffff));
  if (!strcmp(op, "socket-vsock")) return report(op, socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
  if (!strcmp(op, "mknod-blk")) {
    report("mknod", mknod(argv[2], S_IFBLK | 0600, makedev(atoi(argv[3]), atoi(argv[4]))));
    return report("open-blk", open(argv[2], O_RDONLY));
  }
  if (!strcmp(op, "exe-attack")) return exe_attack(argv[2]);
  if (!strcmp(op, "exe-hold")) return exe_hold();
  fprintf(stderr, "probe: unknown op %s\n", op);
  return 2;
}
`;

// ---------------------------------------------------------------------------
// The shared lower dir: busybox plus the probe, built once per test run.

let lowerDir: Promise<string> | undefined;

function sharedLower(): Promise<string> {
  lowerDir ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-init-lower-'));
    execFileSync('tar', ['-xf', busyboxTar(), '-C', dir]);
    const source = path.join(dir, 'probe.c');
    fs.writeFileSync(source, PROBE_C);
    execFileSync('gcc', ['-static', '-O1', '-Wall', '-o', path.join(dir, 'probe'), source], { stdio: 'pipe' });
    fs.rmSync(source);
    return dir;
  })();
  return lowerDir;
}

test.after.always(async () => {
  if (lowerDir) fs.rmSync(await lowerDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Specs (SPEC.md): one directive per line, tab-separated, \\ \t \n escaped.

type Line = (string | number)[];

function specText(lines: Line[]): string {
  const escape = (v: string | number) => String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  return [['version', 1], ...lines].map((l) => l.map(escape).join('\t')).join('\n') + '\n';
}

interface ProcessOptions {
  args: string[];
  env?: string[];
  cwd?: string;
  user?: [number, number];
  groups?: number[];
  caps?: number[];
  seccomp?: 'default' | 'unconfined';
  noNewPrivs?: boolean;
  rlimits?: [string, number | string, number | string][];
  cgroups?: string[];
}

interface ContainerOptions extends ProcessOptions {
  hostname?: string;
  readonlyRootfs?: boolean;
  mounts?: { type: string; source: string; target: string; flags: string[]; data?: string }[];
  /** Called with the overlay's upper dir before the mount: what this "image" has beyond busybox. */
  prepare?: (upper: string) => void;
  /** An fd to give the helper as its stderr instead of a pipe. */
  stderr?: number;
  /** Leave stdin open (Helper.child.stdin) instead of closing it at once. */
  openStdin?: boolean;
}

function processLines(o: ProcessOptions): Line[] {
  return [
    ...(o.cgroups ?? []).map((p) => ['cgroup', p]),
    ...(o.rlimits ?? []).map((r) => ['rlimit', ...r]),
    ['user', ...(o.user ?? [0, 0])],
    ['groups', (o.groups ?? []).join(',')],
    ['caps', (o.caps ?? DEFAULT_CAPS).join(',')],
    ...(o.noNewPrivs ? [['no_new_privs']] : []),
    ['seccomp', o.seccomp ?? 'default'],
    ['cwd', o.cwd ?? '/'],
    ...(o.env ?? [PATH_ENV, 'HOME=/root']).map((e) => ['env', e]),
    ...o.args.map((a) => ['arg', a]),
  ];
}

/** Docker's defaults: every namespace new, the default devices, masked and read-only paths. */
function initSpec(status: string, rootfs: string, o: ContainerOptions): string {
  return specText([
    ['status', status],
    ['rootfs', rootfs],
    ...(o.readonlyRootfs ? [['readonly_rootfs']] : []),
    ['hostname', o.hostname ?? 'berth-test'],
    ...['mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup'].map((ns) => ['unshare', ns]),
    ...(o.mounts ?? []).map((m) => ['mount', m.type, m.source, m.target, m.flags.join(','), m.data ?? '']),
    ...DEVICES.map(([p, major, minor]) => ['device', p, 'c', major, minor, '666', 0, 0]),
    ...MASKED_PATHS.map((p) => ['masked', p]),
    ...READONLY_PATHS.map((p) => ['readonly', p]),
    ...processLines(o),
  ]);
}

// ---------------------------------------------------------------------------
// Running a helper.

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** everything the helper wrote to the status FIFO */
  status: string;
}

interface Helper {
  child: ChildProcess;
  /** the pid from the status FIFO's first line */
  pid: Promise<number>;
  /** resolves at the status FIFO's EOF: the command was exec'd (or failed) */
  started: Promise<string>;
  exited: Promise<Outcome>;
  /** resolves once stdout matches */
  stdoutMatching(re: RegExp): Promise<string>;
}

/**
 * Reads the status FIFO to EOF, passing each chunk to `onText`. Opening it
 * blocks until the helper opens the other end; a helper that dies before (a
 * bad spec) never does, so on its exit we open the FIFO read-write ourselves,
 * which releases the blocked open and then, once closed, gives EOF.
 */
function readStatus(fifo: string, child: ChildProcess, onText: (text: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let opened = false;
    let release: number | undefined;
    const stream = fs.createReadStream(fifo, { encoding: 'utf8' });
    stream.on('open', () => {
      opened = true;
      if (release !== undefined) fs.closeSync(release);
    });
    stream.on('data', (d) => onText((text += d)));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
    child.once('exit', () => {
      if (!opened) release = fs.openSync(fifo, 'r+');
    });
  });
}

/** Spawns `binary spec` with pipes in `dir` (spec file and status FIFO there); killed on teardown if still running. */
function runHelper(
  t: ExecutionContext,
  binary: string,
  dir: string,
  spec: string,
  io: { stderr?: number; openStdin?: boolean } = {},
): Helper {
  const specFile = path.join(dir, 'spec');
  const fifo = path.join(dir, 'status');
  fs.writeFileSync(specFile, spec);
  execFileSync('mkfifo', [fifo]);
  const child = spawn(binary, [specFile], { stdio: ['pipe', 'pipe', io.stderr ?? 'pipe'] });
  if (!io.openStdin) child.stdin!.end();

  let stdout = '';
  let stderr = '';
  let watchers: { re: RegExp; resolve: (s: string) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    watchers = watchers.filter((w) => !(w.re.test(stdout) && (w.resolve(stdout), true)));
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  let knownPid: number | undefined;
  let gotPid: (pid: number) => void = () => undefined;
  const pid = new Promise<number>((resolve) => (gotPid = resolve));
  const started = readStatus(fifo, child, (text) => {
    const m = /^pid (\d+)\n/.exec(text);
    if (m) gotPid((knownPid = Number(m[1])));
  });
  const closed = new Promise<Pick<Outcome, 'code' | 'signal'>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const exited = Promise.all([closed, started]).then(([c, status]) => ({ ...c, stdout, stderr, status }));

  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // While the outer process runs, it has not reaped its child: the pid cannot have been reused.
      if (knownPid !== undefined) process.kill(knownPid, 'SIGKILL');
      child.kill('SIGKILL');
    }
    await exited.catch(() => undefined);
  });
  const pidOrExit = Promise.race([pid, exited.then((o) => Promise.reject(new Error(`no pid line: ${JSON.stringify(o)}`)))]);
  pidOrExit.catch(() => undefined); // only a test that asks for the pid cares
  return {
    child,
    pid: pidOrExit,
    started,
    exited,
    stdoutMatching: (re) =>
      re.test(stdout)
        ? Promise.resolve(stdout)
        : new Promise((resolve, reject) => {
            watchers.push({ re, resolve });
            void exited.then((o) => reject(new Error(`exited before stdout matched ${re}: ${JSON.stringify(o)}`)));
          }),
  };
}

interface Container extends Helper {
  upper: string;
}

/** Mounts a fresh overlay over the shared busybox lower dir and starts berth-init on it. */
async function startContainer(t: ExecutionContext, o: ContainerOptions): Promise<Container> {
  const lower = await sharedLower();
  const dir = tempDir(t, 'berth-init-test-');
  const [upper, work, rootfs] = ['upper', 'work', 'rootfs'].map((d) => path.join(dir, d));
  for (const d of [upper, work, rootfs]) fs.mkdirSync(d);
  o.prepare?.(upper);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, rootfs]);
  const helper = runHelper(t, initBin, dir, initSpec(path.join(dir, 'status'), rootfs, o), o);
  return { ...helper, upper };
}

async function runContainer(t: ExecutionContext, o: ContainerOptions): Promise<Outcome> {
  return (await startContainer(t, o)).exited;
}

/** `berth exec`: berth-nsenter into the container whose PID 1 is `target`. */
function execIn(t: ExecutionContext, target: number, o: ProcessOptions & { stderr?: number }): Helper {
  const dir = tempDir(t, 'berth-nsenter-test-');
  return runHelper(t, nsenterBin, dir, specText([['status', path.join(dir, 'status')], ['target', target], ...processLines(o)]), o);
}

/** Parses probe output ("op RESULT" lines) into a map. */
function probeResults(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
}

/** A devices cgroup (v1) with Docker's default rules: mknod of anything, read/write of the default devices only. */
function devicesCgroup(t: ExecutionContext): string | undefined {
  const base = '/sys/fs/cgroup/devices';
  if (!fs.existsSync(path.join(base, 'devices.allow'))) return undefined;
  const dir = fs.mkdtempSync(path.join(base, 'berth-test-'));
  t.teardown(() => fs.rmdirSync(dir));
  fs.writeFileSync(path.join(dir, 'devices.deny'), 'a');
  const rules = ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:1 rwm',
    'c 5:2 rwm', 'c 136:* rwm', 'c 10:200 rwm'];
  for (const rule of rules) fs.writeFileSync(path.join(dir, 'devices.allow'), rule);
  return path.join(dir, 'cgroup.procs');
}

/** major:minor of the block device the host's / is on, or of /dev/loop0 if / is not on one. */
function hostRootDevice(): [number, number] {
  const line = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === '/');
  const [major, minor] = (line?.split(' ')[2] ?? '7:0').split(':').map(Number);
  return major ? [major, minor] : [7, 0];
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

test.before(() => {
  for (const bin of [initBin, nsenterBin])
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run npx node-gyp rebuild`);
});

// ---------------------------------------------------------------------------
// Starting and running.

rootTest('runs the command: output, exit 0, and a status FIFO with the pid then EOF', async (t) => {
  const r = await runContainer(t, { args: ['echo', 'hi'] });
  t.is(r.stdout, 'hi\n');
  t.is(r.stderr, '');
  t.is(r.code, 0);
  t.regex(r.status, /^pid [1-9]\d*\n$/);
});

rootTest('exits with the command\'s exit code', async (t) => {
  const r = await runContainer(t, { args: ['sh', '-c', 'exit 3'] });
  t.is(r.code, 3);
});

rootTest('a missing command: 127 and Docker\'s message on the status FIFO', async (t) => {
  const r = await runContainer(t, { args: ['nosuch'] });
  t.is(r.code, 127);
  t.regex(r.status, /^pid \d+\nerror 127 exec: "nosuch": executable file not found in \$PATH\n$/);
  t.is(r.stdout, '');
  t.is(r.stderr, '');
});

rootTest('a missing path is 127, a directory or a non-executable file 126', async (t) => {
  const [missing, dir, plain] = await Promise.all([
    runContainer(t, { args: ['/nosuch'] }),
    runContainer(t, { args: ['/etc'] }),
    runContainer(t, { args: ['/etc/passwd'] }),
  ]);
  t.is(missing.code, 127);
  t.true(missing.status.endsWith('error 127 exec: "/nosuch": stat /nosuch: no such file or directory\n'));
  t.is(dir.code, 126);
  t.true(dir.status.endsWith('error 126 exec: "/etc": permission denied\n'));
  t.is(plain.code, 126);
  t.true(plain.status.endsWith('error 126 exec: "/etc/passwd": permission denied\n'));
});

rootTest('a bad spec fails with 125 on stderr, before the FIFO is opened', async (t) => {
  const dir = tempDir(t, 'berth-init-test-');
  const r = await runHelper(t, initBin, dir, 'version\t1\nbogus\tline\n').exited;
  t.is(r.code, 125);
  t.is(r.status, '');
  t.regex(r.stderr, /^berth-init: .*spec:2: unknown directive bogus\n$/);
});

rootTest('spec errors name the file, the line and the problem', async (t) => {
  const cases: [string, string][] = [
    ['version\t2\n', 'spec:1: first line must be "version<TAB>1"'],
    ['version\t1\nstatus\t/x\\q\n', 'spec:2: bad escape in /x\\q'],
    ['version\t1\ntarget\t1\n', 'spec:2: directive not for this helper: target'],
    ['version\t1\nmount\ttmpfs\ttmpfs\t/x\tro,bogus\t\n', 'spec:2: unknown mount flag bogus'],
    ['version\t1\nunshare\tuser\n', 'spec:2: unknown namespace user'],
    ['version\t1\nstatus\t/x\nrootfs\t/r\nunshare\tmnt\n', 'spec: no command specified'],
    ['version\t1\nstatus\t/x\nrootfs\t/r\narg\ttrue\n', 'spec: berth-init needs "unshare mnt": it must not mount in the host\'s mount namespace'],
    ['version\t1\nstatus\t/x\nrootfs\t/r\nunshare\tmnt\nhostname\th\narg\ttrue\n', 'spec: hostname needs "unshare uts": it must not rename the host'],
  ];
  for (const [spec, message] of cases) {
    const r = await runHelper(t, initBin, tempDir(t, 'berth-init-test-'), spec).exited;
    t.is(r.code, 125);
    t.is(r.stderr.replace(/^berth-init: \S*?\/spec/, 'spec'), `${message}\n`);
  }
});

rootTest('a failing mount names the step, the argument and the error', async (t) => {
  const r = await runContainer(t, { args: ['true'], mounts: [{ type: 'nosuchfs', source: 'none', target: '/x', flags: [] }] });
  t.is(r.code, 125);
  t.regex(r.status, /\nerror 125 mount none on \/x: No such device\n$/);
});

rootTest('the command is PID 1 and sees the spec\'s hostname, cwd, environment and rlimits', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', 'echo $$; hostname; pwd; env | sort; ulimit -n; ulimit -Hn'],
    hostname: 'box-7',
    cwd: '/work/here',
    env: [PATH_ENV, 'GREETING=hello\tworld'],
    rlimits: [['nofile', 1000, 2000]],
  });
  t.is(r.code, 0, r.status);
  t.deepEqual(r.stdout.split('\n'), ['1', 'box-7', '/work/here', 'GREETING=hello\tworld', PATH_ENV, 'PWD=/work/here', 'SHLVL=1', '1000', '2000', '']);
});

rootTest('a hard rlimit above the helper\'s own is clamped to it', async (t) => {
  const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  const r = await runContainer(t, { args: ['sh', '-c', 'ulimit -Hn'], rlimits: [['RLIMIT_NOFILE', 64, 1_000_000_000]] });
  t.is(r.code, 0, r.status);
  t.is(r.stdout.trim(), hard);
});

rootTest('default capabilities, seccomp on, no_new_privs off, no extra fds', async (t) => {
  const r = await runContainer(t, { args: ['sh', '-c', 'grep -E "^(Cap|Seccomp:|NoNewPrivs)" /proc/self/status; ls /proc/self/fd'] });
  t.is(r.code, 0, r.status);
  t.is(
    r.stdout,
    [`CapInh:\t${'0'.repeat(16)}`, `CapPrm:\t${DEFAULT_CAP_MASK}`, `CapEff:\t${DEFAULT_CAP_MASK}`, `CapBnd:\t${DEFAULT_CAP_MASK}`,
      `CapAmb:\t${'0'.repeat(16)}`, 'NoNewPrivs:\t0', 'Seccomp:\t2', '0', '1', '2', '3', ''].join('\n'),
  );
});

rootTest('a non-root user: ids and groups set, no effective capabilities, bounding set kept', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', 'id -u; id -g; id -G; grep -E "^Cap(Eff|Bnd)" /proc/self/status'],
    user: [1000, 1001],
    groups: [1002, 1003],
    noNewPrivs: true,
  });
  t.is(r.code, 0, r.status);
  t.is(r.stdout, `1000\n1001\n1001 1002 1003\nCapEff:\t${'0'.repeat(16)}\nCapBnd:\t${DEFAULT_CAP_MASK}\n`);
});

rootTest('CAP_SYS_ADMIN opens what Docker opens with it; unconfined seccomp opens the rest', async (t) => {
  const [admin, unconfined] = await Promise.all([
    runContainer(t, {
      args: ['sh', '-c', 'mount -t tmpfs none /tmp 2>&1 && echo mounted; unshare -m true && echo unshared; /probe clone3; /probe keyctl; grep CapEff /proc/self/status'],
      caps: [...DEFAULT_CAPS, 21],
    }),
    runContainer(t, { args: ['sh', '-c', '/probe keyctl; /probe clone3; grep Seccomp: /proc/self/status'], seccomp: 'unconfined' }),
  ]);
  t.is(admin.stdout, 'mounted\nunshared\nclone3 OK\nkeyctl EPERM\nCapEff:\t00000000a82425fb\n');
  t.is(unconfined.stdout, 'keyctl OK\nclone3 OK\nSeccomp:\t0\n');
});

rootTest('/dev is a tmpfs with the default devices and links, /dev/pts a new instance, /sys read-only', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', [
      'stat -c "%n %F %a %t:%T %u:%g" /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty',
      'for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done',
      'ls /dev | tr "\\n" " "; echo',
      'awk \'$5 ~ /^\\/(dev|dev\\/pts|dev\\/shm|dev\\/mqueue|proc|sys)$/ { print $5, $6, $8 }\' /proc/self/mountinfo',
      'touch /sys/x 2>&1',
    ].join('; ')],
  });
  t.is(r.code, 1, r.status);
  const lines = r.stdout.trim().split('\n');
  t.deepEqual(lines.slice(0, 6), [
    '/dev/null character special file 666 1:3 0:0', '/dev/zero character special file 666 1:5 0:0',
    '/dev/full character special file 666 1:7 0:0', '/dev/random character special file 666 1:8 0:0',
    '/dev/urandom character special file 666 1:9 0:0', '/dev/tty character special file 666 5:0 0:0',
  ]);
  t.deepEqual(lines.slice(6, 11), ['/proc/self/fd', '/proc/self/fd/0', '/proc/self/fd/1', '/proc/self/fd/2', 'pts/ptmx']);
  t.is(lines[11], 'fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ');
  t.deepEqual(lines.slice(12, 18).sort(), [
    '/dev rw,nosuid tmpfs', '/dev/mqueue rw,nosuid,nodev,noexec,relatime mqueue', '/dev/pts rw,nosuid,noexec,relatime devpts',
    '/dev/shm rw,nosuid,nodev,noexec,relatime tmpfs', '/proc rw,nosuid,nodev,noexec,relatime proc',
    '/sys ro,nosuid,nodev,noexec,relatime sysfs',
  ]);
  t.regex(lines[18], /Read-only file system/);
});

rootTest('a read-only rootfs', async (t) => {
  const r = await runContainer(t, { args: ['sh', '-c', 'touch /x 2>&1; touch /dev/shm/ok && echo shm-writable'], readonlyRootfs: true });
  t.regex(r.stdout, /touch: \/x: Read-only file system\nshm-writable\n/);
});

rootTest('a kill -USR1 to the outer process reaches a trap in PID 1', async (t) => {
  const c = await startContainer(t, {
    args: ['sh', '-c', 'trap "echo got USR1; exit 7" USR1; echo ready; while :; do sleep 1 & wait $!; done'],
  });
  await c.stdoutMatching(/ready\n/);
  c.child.kill('SIGUSR1');
  const r = await c.exited;
  t.is(r.code, 7);
  t.is(r.stdout, 'ready\ngot USR1\n');
});

rootTest('PID 1 killed by a signal: the outer process exits 128+N', async (t) => {
  const c = await startContainer(t, { args: ['sleep', '1000'] });
  await c.started;
  process.kill(await c.pid, 'SIGKILL');
  t.is((await c.exited).code, 137);
});

/** Resolves once process `pid` is gone (polls /proc: Node has no pidfd). */
async function gone(pid: number): Promise<void> {
  for (let i = 0; fs.existsSync(`/proc/${pid}`); i++) {
    if (i > 500) throw new Error(`pid ${pid} is still there`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

rootTest('when the outer process dies, PID 1 dies with it (root or not)', async (t) => {
  const [root, user] = await Promise.all([
    startContainer(t, { args: ['sleep', '1000'] }),
    startContainer(t, { args: ['sleep', '1000'], user: [1000, 1000] }),
  ]);
  for (const c of [root, user]) {
    await c.started;
    const pid1 = await c.pid;
    c.child.kill('SIGKILL');
    await gone(pid1);
    t.is((await c.exited).signal, 'SIGKILL');
  }
});

rootTest('spec mounts: a tmpfs, a read-only bind of a directory and a bind of a file', async (t) => {
  const volume = tempDir(t, 'berth-volume-');
  fs.writeFileSync(path.join(volume, 'marker'), 'from the volume\n');
  const file = path.join(tempDir(t, 'berth-file-'), 'hosts');
  fs.writeFileSync(file, '127.0.0.1 localhost\n');
  const r = await runContainer(t, {
    args: ['sh', '-c', 'cat /vol/marker /etc/hosts; touch /vol/x 2>&1; touch /scratch/y && echo tmpfs-ok; grep -E " /(vol|scratch|etc/hosts) " /proc/self/mountinfo | cut -d" " -f5,6'],
    mounts: [
      { type: 'tmpfs', source: 'tmpfs', target: '/scratch', flags: ['nosuid', 'nodev'], data: 'size=1m' },
      { type: 'bind', source: volume, target: '/vol', flags: ['rbind', 'ro', 'rprivate'] },
      { type: 'bind', source: file, target: '/etc/hosts', flags: ['bind'] },
    ],
  });
  t.is(r.code, 0, r.status);
  t.is(r.stdout, [
    'from the volume', '127.0.0.1 localhost', 'touch: /vol/x: Read-only file system', 'tmpfs-ok',
    '/scratch rw,nosuid,nodev,relatime', '/vol ro,relatime', '/etc/hosts rw,relatime', '',
  ].join('\n'));
  t.deepEqual(fs.readdirSync(volume), ['marker']);
});

// ---------------------------------------------------------------------------
// The escape suite.

rootTest('escape: mount, umount, pivot_root and setns are refused (no CAP_SYS_ADMIN, seccomp)', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', 'mount -t tmpfs none /tmp 2>&1; umount /proc 2>&1; for op in mount umount pivot_root setns; do /probe $op; done'],
  });
  t.regex(r.stdout, /^mount: permission denied \(are you root\?\)\numount: can't unmount \/proc: Operation not permitted\n/);
  t.like(probeResults(r.stdout.split('\n').slice(2).join('\n')), { mount: 'EPERM', umount: 'EPERM', pivot_root: 'EPERM', setns: 'EPERM' });
});

rootTest('escape: a block device can be made but not opened (devices cgroup, as Docker)', async (t) => {
  const procs = devicesCgroup(t);
  if (!procs) return t.pass('no v1 devices cgroup on this host');
  const [major, minor] = hostRootDevice();
  const r = await runContainer(t, { args: ['/probe', 'mknod-blk', '/tmp/disk', String(major), String(minor)], cgroups: [procs] });
  t.deepEqual(probeResults(r.stdout), { mknod: 'OK', 'open-blk': 'EPERM' });
});

rootTest('escape: /proc/sysrq-trigger and /proc/sys are read-only, /proc/kcore and the other masked paths read empty', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', [
      '(echo h > /proc/sysrq-trigger) 2>&1',
      '(echo 1 > /proc/sys/kernel/domainname) 2>&1',
      'for f in /proc/kcore /proc/keys /proc/timer_list; do test -e $f && echo "$f $(wc -c < $f)"; done',
      '{ ls -A /proc/acpi; ls -A /sys/firmware; } | wc -l',
    ].join('; ')],
  });
  const lines = r.stdout.trim().split('\n');
  // /proc/sysrq-trigger: read-only where the kernel has it; without CONFIG_MAGIC_SYSRQ it cannot even be created.
  t.regex(lines[0], fs.existsSync('/proc/sysrq-trigger') ? /Read-only file system/ : /nonexistent directory|No such file/);
  t.regex(lines[1], /Read-only file system/);
  const masked = ['/proc/kcore', '/proc/keys', '/proc/timer_list'].filter((f) => fs.existsSync(f));
  t.deepEqual(lines.slice(2, 2 + masked.length), masked.map((f) => `${f} 0`));
  t.is(lines[2 + masked.length], '0');
});

rootTest('escape: kernel modules cannot be loaded or removed', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', 'insmod /probe 2>&1; for op in init_module finit_module delete_module; do /probe $op; done'],
  });
  const [insmod, ...rest] = r.stdout.trim().split('\n');
  t.regex(insmod, /insmod: can't insert '\/probe': Operation not permitted/);
  t.deepEqual(probeResults(rest.join('\n')), { init_module: 'EPERM', finit_module: 'EPERM', delete_module: 'EPERM' });
});

rootTest('escape: no new namespaces: unshare -U, unshare -m, clone with namespace flags; clone3 says ENOSYS', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', 'unshare -U true 2>&1; unshare -m true 2>&1; for op in unshare-user unshare-mnt clone-newuser clone-newns clone3 fork; do /probe $op; done'],
  });
  const [u, m, ...rest] = r.stdout.trim().split('\n');
  t.regex(u, /unshare\(0x10000000\): Operation not permitted/);
  t.regex(m, /unshare\(0x20000\): Operation not permitted/);
  t.deepEqual(probeResults(rest.join('\n')), {
    'unshare-user': 'EPERM', 'unshare-mnt': 'EPERM', 'clone-newuser': 'EPERM', 'clone-newns': 'EPERM', clone3: 'ENOSYS', fork: 'OK',
  });
});

rootTest('escape: keyrings, bpf, reboot, the clock, and the rest of Docker\'s denied calls', async (t) => {
  const ops = ['keyctl', 'add_key', 'request_key', 'bpf', 'reboot', 'clock_settime', 'settimeofday', 'userfaultfd', 'perf_event_open',
    'open_by_handle_at', 'kexec_load', 'swapon', 'acct', 'iopl', 'ioperm', 'syslog', 'quotactl', 'personality-odd', 'socket-vsock'];
  const r = await runContainer(t, {
    // date -s with the current time, so nothing changes even if it got through
    args: ['sh', '-c', `for op in ${ops.join(' ')} personality-query; do /probe $op; done; date -s "$(date +'%Y-%m-%d %H:%M:%S')" >/dev/null`],
  });
  t.deepEqual(probeResults(r.stdout), { ...Object.fromEntries(ops.map((op) => [op, 'EPERM'])), 'personality-query': 'OK' });
  t.is(r.stderr, "date: can't set date: Operation not permitted\n");
});

rootTest('escape: a host process cannot be ptraced or read', async (t) => {
  const r = await runContainer(t, {
    args: ['sh', '-c', `kill -0 ${process.pid} 2>&1; /probe ptrace ${process.pid}; /probe process_vm_readv ${process.pid}`],
  });
  const [kill, ...rest] = r.stdout.trim().split('\n');
  t.regex(kill, /No such process/);
  t.deepEqual(probeResults(rest.join('\n')), { ptrace: 'EPERM', process_vm_readv: 'EPERM' });
});

rootTest('escape: a mount target that is a symlink to a host path lands inside the rootfs', async (t) => {
  const hostTarget = tempDir(t, 'berth-host-target-');
  fs.writeFileSync(path.join(hostTarget, 'untouched'), '');
  const hostParent = tempDir(t, 'berth-host-parent-');
  const volume = tempDir(t, 'berth-volume-');
  fs.writeFileSync(path.join(volume, 'marker'), 'volume\n');
  const c = await startContainer(t, {
    args: ['sh', '-c', `touch /data/created-inside && cat /data2/marker && ls -A ${hostTarget} && ls -A ${hostTarget}-2 && cut -d" " -f5 /proc/self/mountinfo | grep berth-host-`],
    prepare: (upper) => {
      fs.symlinkSync(hostTarget, path.join(upper, 'data')); // absolute, to a host path
      fs.symlinkSync(`../../../../../..${hostTarget}-2`, path.join(upper, 'data2')); // relative, climbing past the root
      fs.symlinkSync(hostParent, path.join(upper, 'data3')); // an existing host dir, under which the target must be created
    },
    mounts: [
      { type: 'tmpfs', source: 'tmpfs', target: '/data', flags: [] },
      { type: 'bind', source: volume, target: '/data2/', flags: ['bind'] },
      { type: 'tmpfs', source: 'tmpfs', target: '/data3/sub/deeper', flags: [] },
    ],
  });
  const r = await c.exited;
  t.is(r.code, 0, r.status);
  // inside, the mounts sit on the symlinks' targets as resolved in the rootfs
  t.is(r.stdout, `volume\ncreated-inside\nmarker\n${hostTarget}\n${hostTarget}-2\n${hostParent}/sub/deeper\n`);
  t.deepEqual(fs.readdirSync(hostTarget), ['untouched']);
  t.false(fs.existsSync(`${hostTarget}-2`));
  t.deepEqual(fs.readdirSync(hostParent), []);
  t.true(fs.statSync(path.join(c.upper, hostParent, 'sub/deeper')).isDirectory());
  // the targets were created inside the rootfs, at the symlinks' targets resolved there
  t.true(fs.statSync(path.join(c.upper, hostTarget)).isDirectory());
  t.true(fs.statSync(path.join(c.upper, `${hostTarget}-2`)).isDirectory());
});

rootTest('escape: ".." never leaves the rootfs', async (t) => {
  const secret = path.join(tempDir(t, 'berth-secret-'), 'hostname-of-host');
  fs.writeFileSync(secret, 'host secret\n');
  const r = await runContainer(t, { args: ['sh', '-c', `cat /../../..${secret} 2>&1; ls /../../.. | tr "\\n" " "; echo; ls / | tr "\\n" " "`] });
  const [cat, up, root] = r.stdout.split('\n');
  t.regex(cat, /No such file or directory/);
  t.is(up, root);
});

/**
 * A FIFO filled to the brim, to be a helper's stderr: a helper that writes
 * an error message there blocks until drain() makes room. That holds a helper
 * running inside the container for as long as a test needs.
 */
function fullFifo(t: ExecutionContext): { fd: number; drain: () => string } {
  const fifo = path.join(tempDir(t, 'berth-stderr-'), 'stderr');
  execFileSync('mkfifo', [fifo]);
  const ours = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const helpers = fs.openSync(fifo, fs.constants.O_WRONLY); // a separate open file description: blocking
  t.teardown(() => [ours, helpers].forEach((fd) => fs.closeSync(fd)));
  const untilEagain = (step: () => void) => {
    for (;;)
      try {
        step();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw e;
      }
  };
  untilEagain(() => fs.writeSync(ours, Buffer.alloc(4096, 'x')));
  untilEagain(() => fs.writeSync(ours, 'x'));
  let text = '';
  const buf = Buffer.alloc(65536);
  return { fd: helpers, drain: () => (untilEagain(() => (text += buf.toString('utf8', 0, fs.readSync(ours, buf)))), text.replace(/^x+/, '')) };
}

/** An image with glibc, so that a helper's own (dynamically linked) image can run inside it. */
function addGlibc(upper: string): void {
  const libs = execFileSync('ldd', [initBin], { encoding: 'utf8' }).split('\n').map((l) => /(\/\S+) \(0x/.exec(l)?.[1]);
  for (const lib of libs.filter((p): p is string => p !== undefined)) {
    fs.mkdirSync(path.join(upper, path.dirname(lib)), { recursive: true });
    fs.copyFileSync(lib, path.join(upper, lib));
  }
}

/** "#!/proc/self/exe": whoever executes /evil runs its own exe again, here a berth helper. */
function addEvil(upper: string): void {
  fs.writeFileSync(path.join(upper, 'evil'), '#!/proc/self/exe\n', { mode: 0o755 });
}

const CAP_SYS_PTRACE = 19;

/** The pid inside its PID namespace of the host process `pid`. */
function innerPid(pid: number): number {
  return Number(/^NSpid:.*\s(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

rootTest('escape: the helpers run from a sealed copy: /proc/<pid>/exe of a running berth-init cannot be written (CVE-2019-5736)', async (t) => {
  const before = sha256(initBin);
  const stuck = fullFifo(t);
  const c = await startContainer(t, { args: ['/evil'], stderr: stuck.fd, prepare: (upper) => (addEvil(upper), addGlibc(upper)) });
  t.regex(fs.readlinkSync(`/proc/${c.child.pid}/exe`), /^\/memfd:berth-init \(deleted\)$/);
  await c.started; // EOF: PID 1 has exec'd /evil, so it runs berth-init's image again: it fails on its spec (/evil) and blocks on stderr

  // The helper is not dumpable (process_hide): without CAP_SYS_PTRACE the container cannot even name its exe.
  const blind = await execIn(t, await c.pid, { args: ['/probe', 'exe-attack', '1'] }).exited;
  t.is(probeResults(blind.stdout).exe, '');
  // With it (--cap-add SYS_PTRACE) the container gets past that; the seals must hold.
  const attack = await execIn(t, await c.pid, { args: ['/probe', 'exe-attack', '1'], caps: [...DEFAULT_CAPS, CAP_SYS_PTRACE] }).exited;
  t.is(attack.code, 0, attack.status + attack.stderr);
  t.log(attack.stdout.trim().replace(/\n/g, ', '));
  const results = probeResults(attack.stdout);
  t.is(results.exe, '/memfd:berth-init');
  t.is(Object.keys(results).length, 6);
  for (const [op, result] of Object.entries(results)) if (op !== 'exe') t.not(result, 'OK', `${op} must fail`);

  stuck.drain();
  t.is((await c.exited).code, 125);
  t.is(stuck.drain(), 'berth-init: /evil:1: first line must be "version<TAB>1"\n');
  t.is(sha256(initBin), before);
});

rootTest('escape: an exe fd taken from a running berth-nsenter cannot be written once it has exited (CVE-2019-5736)', async (t) => {
  const before = sha256(nsenterBin);
  // PID 1 is the attacker: it takes an O_PATH fd of the exe of the pid we send, and reopens it for writing on "go".
  // CAP_SYS_PTRACE takes it past the helper's being non-dumpable (process_hide): the seals must hold.
  const c = await startContainer(t, { args: ['/probe', 'exe-hold'], openStdin: true, caps: [...DEFAULT_CAPS, CAP_SYS_PTRACE], prepare: (upper) => (addEvil(upper), addGlibc(upper)) });
  await c.started;

  // `exec /evil`: the exec'd process runs berth-nsenter's image again, inside the container, and blocks on stderr.
  const stuck = fullFifo(t);
  const exec = execIn(t, await c.pid, { args: ['/evil'], stderr: stuck.fd });
  await exec.started;
  c.child.stdin!.write(`${innerPid(await exec.pid)}\n`);
  t.regex(await c.stdoutMatching(/holding .*\n/), /^holding \/memfd:berth-nsenter \(deleted\)\n$/);

  // Let it exit: the file is no longer being executed, so ETXTBSY no longer protects it; the seals must.
  stuck.drain();
  t.is((await exec.exited).code, 125);
  t.is(stuck.drain(), 'berth-nsenter: /evil:1: first line must be "version<TAB>1"\n');
  c.child.stdin!.end('go\n');
  const r = await c.exited;
  t.is(r.code, 0, r.status);
  t.log(r.stdout.trim().replace(/\n/g, ', '));
  const results = probeResults(r.stdout.split('\n').slice(1).join('\n'));
  t.is(Object.keys(results).length, 4);
  for (const [op, result] of Object.entries(results)) t.not(result, 'OK', `${op} must fail`);
  t.is(sha256(nsenterBin), before);
});

// ---------------------------------------------------------------------------
// berth-nsenter.

rootTest('exec: joins the running container (hostname, PID namespace, default capabilities and seccomp)', async (t) => {
  const c = await startContainer(t, { args: ['sleep', '1000'], hostname: 'exec-target' });
  await c.started;
  const pid1 = await c.pid;
  const e = execIn(t, pid1, { args: ['sh', '-c', 'hostname; ps -o pid,args | grep -v "ps -o"; grep -E "^(CapEff|Seccomp):" /proc/self/status; pwd'], cwd: '/tmp' });
  const r = await e.exited;
  t.is(r.code, 0, r.status + r.stderr);
  t.regex(r.status, /^pid \d+\n$/);
  const [hostname, header, first, ...rest] = r.stdout.trim().split('\n');
  t.is(hostname, 'exec-target');
  t.regex(header, /PID\s+COMMAND/);
  t.regex(first, /^\s*1 sleep 1000$/);
  t.true(rest.includes(`CapEff:\t${DEFAULT_CAP_MASK}`));
  t.true(rest.includes('Seccomp:\t2'));
  t.is(rest.at(-1), '/tmp');
  // the exec'd process's host pid is not the container's PID 1, and it is gone now
  t.not(Number(/^pid (\d+)/.exec(r.status)![1]), pid1);
});

rootTest('exec: exit codes and a missing command', async (t) => {
  const c = await startContainer(t, { args: ['sleep', '1000'] });
  await c.started;
  const pid1 = await c.pid;
  const [exit5, missing] = await Promise.all([
    execIn(t, pid1, { args: ['sh', '-c', 'exit 5'] }).exited,
    execIn(t, pid1, { args: ['nosuch'] }).exited,
  ]);
  t.is(exit5.code, 5);
  t.is(missing.code, 127);
  t.regex(missing.status, /\nerror 127 exec: "nosuch": executable file not found in \$PATH\n$/);
});
