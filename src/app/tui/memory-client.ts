/**
 * An in-memory TuiClient: the TUI's tests (and anyone wanting to see the TUI
 * without an engine) drive it with containers, images and processes given as
 * data, and read back which calls the TUI made.
 */
import type { ContainerSample, ContainerSnapshot, ContainerUsage, ImageLayers, ImageSnapshot, LogLine, ProcessInfo, RunRequest, TuiClient } from './client.js';
import { analyzeLayers } from '../../engine/images/analysis.js';

export function container(c: Partial<ContainerSnapshot> & { id: string; name: string }): ContainerSnapshot {
  const state = c.state ?? 'running';
  return {
    image: 'busybox:latest',
    imageId: 'sha256:aaaa',
    status: state === 'running' ? 'Up 3 minutes' : state === 'exited' ? 'Exited (137) 2 seconds ago' : state,
    ports: '',
    command: 'sh',
    tty: true,
    openStdin: true,
    ...c,
    state,
  };
}

export function proc(pid: number, containerPid: number, ppid: number, command: string): ProcessInfo {
  return { pid, containerPid, ppid, uid: 0, user: 'root', cpuPercent: 0, rssBytes: 1_000_000, startedAt: 0, tty: '?', cpuSeconds: 0, command };
}

export class MemoryClient implements TuiClient {
  containerList: ContainerSnapshot[] = [];
  imageList: ImageSnapshot[] = [];
  layerData = new Map<string, ImageLayers>();
  processes = new Map<string, ProcessInfo[]>();
  logLines = new Map<string, LogLine[]>();
  /** every mutating call, as "verb arg…" */
  calls: string[] = [];
  /** how many times containers() was read: tests wait on refreshes with it */
  reads = 0;
  private waiters: (() => void)[] = [];

  constructor(init: { containers?: ContainerSnapshot[]; images?: ImageSnapshot[] } = {}) {
    this.containerList = init.containers ?? [];
    this.imageList = init.images ?? [];
  }

  /** Resolves after containers() has been read `n` more times. */
  nextReads(n: number): Promise<void> {
    const target = this.reads + n;
    return new Promise((resolve) => {
      const check = () => {
        if (this.reads >= target) resolve();
        else this.waiters.push(check);
      };
      check();
    });
  }

  containers() {
    this.reads++;
    const waiting = this.waiters.splice(0);
    for (const w of waiting) w();
    return this.containerList.map((c) => ({ ...c }));
  }

  images() {
    return this.imageList.map((i) => ({ ...i }));
  }

  async layers(imageId: string): Promise<ImageLayers> {
    return this.layerData.get(imageId) ?? { imageId, layers: [], analysis: analyzeLayers([]) };
  }

  top(id: string): ProcessInfo[] {
    const p = this.processes.get(id);
    if (!p) throw new Error(`Container ${id} is not running`);
    return p;
  }

  usage(id: string): ContainerUsage {
    const { at, cpuUsageNs, memoryUsage } = this.stats(id);
    return { at, cpuUsageNs, memoryUsage };
  }

  stats(id: string): ContainerSample {
    return { id, name: id, at: 0, running: true, cpuUsageNs: 0, memoryUsage: 0, memoryLimit: 1e9, netRx: 0, netTx: 0, blkioRead: 0, blkioWrite: 0, pids: 1 };
  }

  inspect(id: string): unknown {
    return { Id: id, State: { Status: this.containerList.find((c) => c.id === id)?.state } };
  }

  async diff() {
    return [{ kind: 'A' as const, path: '/tmp/new' }];
  }

  logs(id: string, offset: number) {
    const lines = this.logLines.get(id) ?? [];
    return { lines: lines.slice(offset), offset: lines.length };
  }

  private record(call: string): Promise<void> {
    this.calls.push(call);
    return Promise.resolve();
  }

  stop(id: string) {
    return this.record(`stop ${id}`);
  }
  restart(id: string) {
    return this.record(`restart ${id}`);
  }
  togglePause(id: string) {
    return this.record(`pause ${id}`);
  }
  kill(id: string) {
    return this.record(`kill ${id}`);
  }
  removeContainer(id: string) {
    return this.record(`rm ${id}`);
  }
  removeImage(id: string) {
    return this.record(`rmi ${id}`);
  }
  async commit(id: string, reference: string) {
    await this.record(`commit ${id} ${reference}`);
    return 'sha256:new';
  }
  tag(imageId: string, reference: string) {
    return this.record(`tag ${imageId} ${reference}`);
  }
  async run(request: RunRequest) {
    await this.record(`run ${JSON.stringify(request)}`);
    return 'newid';
  }
  async command(line: string) {
    await this.record(`command ${line}`);
    return { code: 0, output: line.startsWith('ps') ? 'CONTAINER ID   NAMES\nabc   web\n' : 'done\n' };
  }
}
