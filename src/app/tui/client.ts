/**
 * What the TUI needs of an engine, as plain data (DESIGN §1: the TUI talks to
 * an EngineClient; today the in-process engine, later a Docker API client).
 * Tests drive the TUI with a fake implementation of this interface.
 */
import type { ContainerStatus } from '../../engine/containers/types.js';
import type { ContainerSample } from '../../engine/containers/service.js';
import type { ProcessInfo } from '../../engine/containers/processes.js';
import type { Change } from '../../engine/containers/changes.js';
import type { ImageAnalysis } from '../../engine/images/analysis.js';

export type { ContainerSample, ProcessInfo, Change, ImageAnalysis };

/** What the containers pane shows of a running container's usage; CPU % comes from two of them. */
export interface ContainerUsage {
  /** ms since epoch */
  at: number;
  cpuUsageNs: number;
  memoryUsage: number;
}

export interface ContainerSnapshot {
  id: string;
  name: string;
  /** as ps shows it: busybox:latest, or a short ID */
  image: string;
  imageId: string;
  state: ContainerStatus;
  /** Docker's STATUS column: "Up 3 minutes", "Exited (137) 2 seconds ago" */
  status: string;
  ports: string;
  command: string;
  tty: boolean;
  openStdin: boolean;
}

export interface ImageSnapshot {
  id: string;
  /** familiar names; empty for a dangling image */
  repoTags: string[];
  created: string | undefined;
  size: number;
  /** ChainIDs bottom to top */
  layers: string[];
}

/** One layer of an image, bottom to top, with the history step that made it. */
export interface LayerSnapshot {
  chainId: string;
  size: number;
  createdBy: string;
  created: string | undefined;
}

export interface ImageLayers {
  imageId: string;
  layers: LayerSnapshot[];
  analysis: ImageAnalysis;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  time: string;
  text: string;
}

/** What the run form asks for (R on an image). */
export interface RunRequest {
  image: string;
  name: string;
  /** shell-split by the client */
  command: string;
  /** -p specs, separated by spaces or commas: "8080:80 127.0.0.1::53/udp" */
  ports: string;
  /** -v specs, separated by spaces: "data:/data /srv:/srv:ro" */
  volumes: string;
  /** KEY=value words, shell-split: "A=1 B='two words'" */
  env: string;
  /** -it: interactive with a TTY, then attach; otherwise -d */
  interactive: boolean;
}

export interface TuiClient {
  containers(): ContainerSnapshot[];
  images(): ImageSnapshot[];
  layers(imageId: string): Promise<ImageLayers>;
  /** throws when the container is not running */
  top(id: string): ProcessInfo[];
  stats(id: string): ContainerSample;
  /** CPU and memory alone, by full ID: cheaper than stats, for the rows of the containers pane */
  usage(id: string): ContainerUsage;
  inspect(id: string): unknown;
  diff(id: string): Promise<Change[]>;
  /** log lines appended since `offset` (0: from the start), and the offset to ask from next */
  logs(id: string, offset: number): { lines: LogLine[]; offset: number };
  stop(id: string): Promise<void>;
  /** start when stopped, restart when running */
  restart(id: string): Promise<void>;
  /** pause a running container, unpause a paused one */
  togglePause(id: string): Promise<void>;
  kill(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  removeImage(id: string): Promise<void>;
  commit(id: string, reference: string): Promise<string>;
  tag(imageId: string, reference: string): Promise<void>;
  /** creates and starts; returns the new container's ID */
  run(request: RunRequest): Promise<string>;
  /** a CLI command line (":run -d busybox sh"), run through the CLI's verbs; its output and exit code */
  command(line: string): Promise<{ code: number; output: string }>;
}
