/**
 * A container's processes read from /proc: the PID as the host sees it and
 * the PID inside the container's namespace side by side (the seed's point:
 * `docker ps` PIDs differ from `ps -ef` inside). Shared by `top` and the TUI's
 * processes pane.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface ProcessInfo {
  pid: number;
  /** the PID inside the container's PID namespace */
  containerPid: number;
  ppid: number;
  uid: number;
  user: string;
  /** lifetime CPU use in percent of one CPU, as ps's C column */
  cpuPercent: number;
  rssBytes: number;
  /** process start, ms since epoch */
  startedAt: number;
  tty: string;
  /** CPU time used, seconds */
  cpuSeconds: number;
  command: string;
}

const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

function hostUsers(): Map<number, string> {
  const users = new Map<number, string>();
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid !== undefined) users.set(Number(uid), name);
    }
  } catch {
    // no passwd: show numbers
  }
  return users;
}

function ttyName(ttyNr: number): string {
  if (ttyNr === 0) return '?';
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  return major === 136 ? `pts/${minor}` : major === 4 ? `tty${minor}` : '?';
}

/**
 * The processes among `pids` that still exist, in pid order. Processes
 * outside any child PID namespace (berth-init's supervising half, which joins
 * the cgroup before it forks PID 1) are not the container's and are left out.
 */
export function readProcesses(pids: readonly number[]): ProcessInfo[] {
  const users = hostUsers();
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const bootMs = Date.now() - uptime * 1000;
  const out: ProcessInfo[] = [];
  for (const pid of [...pids].sort((a, b) => a - b)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const startTicks = Number(fields[19]);
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1].trim().split(/\s+/).map(Number) ?? [pid];
      if (nspid.length < 2) continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const elapsed = Math.max(uptime - startTicks / CLOCK_TICKS, 0.01);
      out.push({
        pid,
        containerPid: nspid[nspid.length - 1],
        ppid: Number(fields[1]),
        uid,
        user: users.get(uid) ?? String(uid),
        cpuPercent: Math.floor(((ticks / CLOCK_TICKS) / elapsed) * 100),
        rssBytes: Number(fields[21]) * PAGE_SIZE,
        startedAt: bootMs + (startTicks / CLOCK_TICKS) * 1000,
        tty: ttyName(Number(fields[4])),
        cpuSeconds: ticks / CLOCK_TICKS,
        command: cmdline ? cmdline.replace(/\0+$/, '').split('\0').join(' ') : `[${comm}]`,
      });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** rx/tx bytes of a process's network namespace, loopback excluded. */
export function networkBytes(pid: number): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  try {
    for (const line of fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2)) {
      const [name, rest] = line.split(':');
      if (!rest || name.trim() === 'lo') continue;
      const cols = rest.trim().split(/\s+/).map(Number);
      rx += cols[0];
      tx += cols[8];
    }
  } catch {
    // gone
  }
  return { rx, tx };
}

export const HOST_MEMORY = os.totalmem();
