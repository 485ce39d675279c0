/**
 * The processes pane: a container's processes as a tree (by parent PID),
 * host PID and container PID side by side, user, CPU, memory, command.
 */
import type { ProcessInfo } from '../client.js';
import { humanSize } from '../../cli/format.js';
import { cell, rightCell, type Row } from './segments.js';

export interface ProcessRow {
  pid: number;
  containerPid: number;
  user: string;
  cpu: string;
  memory: string;
  /** tree prefix and command */
  command: string;
}

export function processRows(processes: readonly ProcessInfo[]): ProcessRow[] {
  const pids = new Set(processes.map((p) => p.pid));
  const children = new Map<number, ProcessInfo[]>();
  const roots: ProcessInfo[] = [];
  for (const p of [...processes].sort((a, b) => a.containerPid - b.containerPid)) {
    if (pids.has(p.ppid) && p.ppid !== p.pid) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    else roots.push(p);
  }
  const rows: ProcessRow[] = [];
  const visit = (p: ProcessInfo, prefix: string, branch: string) => {
    rows.push({
      pid: p.pid,
      containerPid: p.containerPid,
      user: p.user,
      cpu: `${p.cpuPercent}%`,
      memory: humanSize(p.rssBytes),
      // a command line may hold newlines and tabs (sh -c scripts): one row each, as ps shows them
      command: `${prefix}${branch}${p.command.replace(/[\x00-\x1f\x7f]/g, ' ')}`,
    });
    const kids = children.get(p.pid) ?? [];
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      visit(k, branch === '' ? prefix : `${prefix}${branch === '└─ ' ? '   ' : '│  '}`, last ? '└─ ' : '├─ ');
    });
  };
  for (const r of roots) visit(r, '', '');
  return rows;
}

export function processHeader(width: number): Row {
  return [{ text: cell(`${rightCell('PID', 7)} ${rightCell('CPID', 5)} ${cell('USER', 8)} ${rightCell('CPU', 5)} ${rightCell('MEM', 8)} COMMAND`, width), style: 'header' }];
}

export function processLine(row: ProcessRow, width: number): Row {
  return [
    { text: `${rightCell(String(row.pid), 7)} ` },
    { text: `${rightCell(String(row.containerPid), 5)} `, style: 'accent' },
    { text: `${cell(row.user, 8)} `, style: 'dim' },
    { text: `${rightCell(row.cpu, 5)} ${rightCell(row.memory, 8)} ` },
    { text: cell(row.command, Math.max(1, width - 38)) },
  ];
}
