/**
 * Containers as Docker describes them: Config (what to run), HostConfig (how
 * the host runs it) and State. Field names follow Docker's API so inspect,
 * the on-disk config.json/hostconfig.json and the API server need no mapping.
 */
import type { Digest } from '../digest.js';
import { failedPrecondition } from '../errors.js';
import type { MountSpec } from '../volumes/types.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Lifecycle as data: each verb asks its guard, and refuses naming the current status. */
export const canStart = (s: ContainerStatus) => s === 'created' || s === 'exited';
export const isActive = (s: ContainerStatus) => s === 'running' || s === 'paused' || s === 'restarting';
export const canKill = (s: ContainerStatus) => s === 'running' || s === 'restarting';
export const canPause = (s: ContainerStatus) => s === 'running';
export const canUnpause = (s: ContainerStatus) => s === 'paused';
export const canExec = (s: ContainerStatus) => s === 'running';

export function requireStatus(name: string, status: ContainerStatus, guard: (s: ContainerStatus) => boolean, verb: string): void {
  if (!guard(status)) throw failedPrecondition(`cannot ${verb} container ${name}: container is ${status}`);
}

export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount: number;
}

export interface HostConfig {
  Binds: string[] | null;
  NetworkMode: string;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  SecurityOpt: string[] | null;
  Memory: number;
  MemorySwap: number;
  NanoCpus: number;
  CpuShares: number;
  PidsLimit: number | null;
  LogConfig: { Type: 'json-file'; Config: Record<string, string> };
  Init?: boolean;
  ConsoleSize?: [number, number];
  /** -p, Docker's shape: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} (HostPort "" = any free port) */
  PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
  /** -P */
  PublishAllPorts?: boolean;
  /** --add-host name:ip */
  ExtraHosts?: string[] | null;
  /** --dns */
  Dns?: string[] | null;
  /** --mount, as given (absent when none, as Docker omits it) */
  Mounts?: MountSpec[];
  /** --tmpfs: container path → its options as typed (absent when none) */
  Tmpfs?: Record<string, string>;
  /** --volumes-from ctr[:ro|rw] */
  VolumesFrom?: string[] | null;
}

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

/** One container as the engine keeps it. */
export interface Container {
  id: string;
  name: string;
  imageId: Digest;
  imageName: string;
  created: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  shimPid: number;
  restartCount: number;
  stoppedByUser: boolean;
  /** published ports as bound while running (NetworkSettings.Ports); {} otherwise */
  ports: Record<string, { HostIp: string; HostPort: string }[]>;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Docker's rule for names, with at least two characters. */
export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
