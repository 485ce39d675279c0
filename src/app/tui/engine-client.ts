/**
 * The TuiClient over the in-process engine (the default; a Docker Engine API
 * client is the other implementation DESIGN §1 plans). Everything here is a
 * thin call into src/engine, plus reading the json-file log incrementally.
 */
import { describePorts } from '../../engine/networks/ports.js';
import fs from 'node:fs';
import type { Engine } from '../../engine/engine.js';
import type { Digest } from '../../engine/digest.js';
import { imageHistory } from '../../engine/images/service.js';
import { analyzeLayers, readLayerEntries } from '../../engine/images/analysis.js';
import { readLogEntries, type LogEntry } from '../../engine/runtime/json-log.js';
import { statusText } from '../cli/ps.js';
import type { ContainerSnapshot, ImageLayers, ImageSnapshot, LogLine, RunRequest, TuiClient } from './client.js';
import { runCommandLine } from './command-line.js';
import { shellWords } from './shell-words.js';

export class EngineTuiClient implements TuiClient {
  /** image analyses by ID: an image never changes, so each is computed once */
  private readonly layerCache = new Map<string, Promise<ImageLayers>>();
  /** log files by container ID: the logs tab polls twice a second, and a file's place never changes */
  private readonly logFiles = new Map<string, string>();

  constructor(private readonly engine: Engine) {}

  containers(): ContainerSnapshot[] {
    const now = Date.now();
    // one image lookup per image, not per container: the TUI re-reads this list every refresh
    const labels = new Map<string, string>();
    const label = (c: Parameters<Engine['containers']['imageLabel']>[0]) => {
      const key = `${c.imageName}\0${c.imageId}`;
      let l = labels.get(key);
      if (l === undefined) labels.set(key, (l = this.engine.containers.imageLabel(c)));
      return l;
    };
    return this.engine.containers.list().map((c) => ({
      id: c.id,
      name: c.name,
      image: label(c),
      imageId: c.imageId,
      state: c.state.Status,
      status: statusText(c, now),
      ports: describePorts(c.ports, Object.keys(c.config.ExposedPorts ?? {}), c.state.Running),
      command: [...(c.config.Entrypoint ?? []), ...(c.config.Cmd ?? [])].join(' '),
      tty: c.config.Tty,
      openStdin: c.config.OpenStdin,
    }));
  }

  images(): ImageSnapshot[] {
    return this.engine.images.list().map((i) => ({ id: i.id, repoTags: i.repoTags, created: i.created, size: i.size, layers: i.layers }));
  }

  layers(imageId: string): Promise<ImageLayers> {
    let cached = this.layerCache.get(imageId);
    if (!cached) {
      // after the current render: walking layer dirs can take a moment on big images
      cached = new Promise<ImageLayers>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(this.analyse(imageId as Digest));
          } catch (err) {
            reject(err);
          }
        }),
      );
      cached.catch(() => this.layerCache.delete(imageId));
      this.layerCache.set(imageId, cached);
    }
    return cached;
  }

  private analyse(id: Digest): ImageLayers {
    const { images, store } = this.engine;
    const layers = images.layers(id);
    const history = imageHistory(id, images.config(id), layers.map((l) => l.size))
      .reverse()
      .filter((h) => !h.emptyLayer);
    const entries = layers.map((l) => readLayerEntries(store.layerDiff(l.chainId), store.native));
    return {
      imageId: id,
      layers: layers.map((l, i) => ({ chainId: l.chainId, size: l.size, createdBy: history[i]?.createdBy ?? '', created: history[i]?.created })),
      analysis: analyzeLayers(entries),
    };
  }

  top(id: string) {
    return this.engine.containers.top(id);
  }

  stats(id: string) {
    return this.engine.containers.stats(id);
  }

  usage(id: string) {
    return this.engine.containers.usage(id);
  }

  inspect(id: string): unknown {
    return this.engine.containers.inspect(id);
  }

  diff(id: string) {
    return this.engine.containers.diff(id);
  }

  logs(id: string, offset: number): { lines: LogLine[]; offset: number } {
    let file = this.logFiles.get(id);
    if (file === undefined) this.logFiles.set(id, (file = this.engine.containers.logPath(this.engine.containers.get(id))));
    const toLine = (e: LogEntry): LogLine => ({ stream: e.stream === 'stderr' ? 'stderr' : 'stdout', time: e.time, text: e.log });
    let size: number | undefined;
    try {
      size = fs.statSync(file, { throwIfNoEntry: false })?.size;
    } catch {
      size = undefined;
    }
    if (!size) return { lines: [], offset: 0 }; // no log yet, or nothing in it
    if (offset === 0) return { lines: readLogEntries(file).map(toLine), offset: size };
    if (size === offset) return { lines: [], offset };
    const from = size < offset ? 0 : offset; // rotated: the new file from its start
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - from);
      fs.readSync(fd, buffer, 0, buffer.length, from);
      const text = buffer.toString();
      const end = text.lastIndexOf('\n') + 1; // a half-written last line waits for the next read
      const lines: LogLine[] = [];
      for (const line of text.slice(0, end).split('\n')) {
        if (!line) continue;
        try {
          lines.push(toLine(JSON.parse(line) as LogEntry));
        } catch {
          // a line cut by a crash
        }
      }
      return { lines, offset: from + Buffer.byteLength(text.slice(0, end)) };
    } finally {
      fs.closeSync(fd);
    }
  }

  stop(id: string) {
    return this.engine.containers.stop(id);
  }

  async restart(id: string) {
    const c = this.engine.containers.get(id);
    if (c.state.Status === 'created' || c.state.Status === 'exited') await this.engine.containers.start(id);
    else await this.engine.containers.restart(id);
  }

  togglePause(id: string) {
    const c = this.engine.containers.get(id);
    return c.state.Status === 'paused' ? this.engine.containers.unpause(id) : this.engine.containers.pause(id);
  }

  async kill(id: string) {
    this.engine.containers.kill(id);
  }

  removeContainer(id: string) {
    return this.engine.containers.remove(id, { force: true });
  }

  async removeImage(id: string) {
    this.engine.images.remove(id, { inUse: this.engine.imageUser });
  }

  async commit(id: string, reference: string) {
    return this.engine.containers.commit(id, { reference: reference || undefined });
  }

  async tag(imageId: string, reference: string) {
    this.engine.images.tag(imageId, reference);
  }

  async run(request: RunRequest): Promise<string> {
    const cmd = request.command.trim() ? shellWords(request.command) : undefined;
    const c = await this.engine.containers.create({
      image: request.image,
      name: request.name || undefined,
      cmd,
      publish: request.ports.split(/[\s,]+/).filter(Boolean),
      volumes: request.volumes.split(/\s+/).filter(Boolean),
      env: request.env.trim() ? shellWords(request.env) : [],
      tty: request.interactive,
      interactive: request.interactive,
    });
    await this.engine.containers.start(c.id);
    return c.id;
  }

  command(line: string) {
    return runCommandLine(this.engine, line);
  }
}
