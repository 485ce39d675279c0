/**
 * Volumes and container mounts as Docker describes them. A volume is a
 * directory the engine owns, <root>/volumes/<name>/_data, that outlives
 * containers; its metadata is volumes/<name>/volume.json. Which containers use
 * a volume is not recorded on the volume: each container keeps its resolved
 * mounts in containers/<id>/mounts.json (Docker's MountPoints in
 * config.v2.json), fixed at create, and "in use" is read from those.
 */

/** Docker's rule for local volume names (at least two characters). */
export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker 23+ marks volumes created for one container; `volume prune` without -a removes only those. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface Volume {
  name: string;
  /** RFC 3339, whole seconds */
  createdAt: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
  /** the host directory holding the data */
  mountpoint: string;
}

/** `docker volume inspect`'s JSON. */
export interface VolumeInspect {
  CreatedAt: string;
  Driver: 'local';
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local';
}

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** Docker's mount.Mount (HostConfig.Mounts): what `--mount` says, before the engine resolves it. */
export interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/**
 * One mount of a container as the engine keeps it (containers/<id>/mounts.json),
 * resolved at create: volume names are fixed, anonymous ones generated.
 */
export interface MountPoint {
  type: MountType;
  /** absolute container path, cleaned */
  destination: string;
  /** bind: the host path */
  source?: string;
  /** volume: its name */
  name?: string;
  readOnly: boolean;
  /** Docker's Mode as inspect shows it: the -v mode as typed ("ro", …), "z" for volumes given by -v/--mount, "" otherwise */
  mode: string;
  /** "rprivate" (the default) or the asked propagation for binds; "" for volumes and tmpfs, as Docker shows them */
  propagation: string;
  /** a volume made for this container alone (-v /path, --mount without source, the image's VOLUME): `rm -v` removes it */
  anonymous?: boolean;
  /** seed the volume from the image's content at `destination` while the volume is empty (Docker's copy-up; false with nocopy) */
  copyData?: boolean;
  /** -v bind: create the host directory when it is missing (--mount refuses at create instead) */
  createSource?: boolean;
  /** tmpfs size in bytes (0: the kernel's default) */
  tmpfsSize?: number;
  /** tmpfs root mode (0: the kernel's default, 1777) */
  tmpfsMode?: number;
  /** --tmpfs: its options as typed (flags and size=, mode=, …); such a mount is in HostConfig.Tmpfs, not in inspect's Mounts */
  tmpfsOptions?: string;
}

/** inspect's Mounts entry, Docker's field order; Name and Driver only for volumes. */
export interface MountInspect {
  Type: MountType;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: 'local';
  Mode: string;
  RW: boolean;
  Propagation: string;
}
