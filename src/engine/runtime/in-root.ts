/**
 * Files inside a root berth does not trust: a container's rootfs, the root of
 * a running container (/proc/PID/root, its mounts included), an image's
 * layers. Every path is resolved by the kernel from a held fd of the root
 * with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): absolute symlinks
 * and ".." stay inside, a /proc magic link (/proc/self/root) fails, and a
 * container swapping a directory for a symlink between two steps cannot lead
 * a step to the host, since each starts from an fd and not from a path
 * string (issue 11). Paths relative to a held fd go through its
 * /proc/self/fd/N link, which names the fd's own directory.
 */
import fs from 'node:fs';
import { errnoCode, invalidArgument } from '../errors.js';
import type { Native } from '../native.js';

/** "/proc/self/fd/N", or a name (string or bytes) inside the directory held by fd N. */
export function fdPath(fd: number, name?: string | Buffer): string | Buffer {
  const dir = `/proc/self/fd/${fd}`;
  if (name === undefined) return dir;
  return typeof name === 'string' ? `${dir}/${name}` : Buffer.concat([Buffer.from(`${dir}/`), name]);
}

export class InRoot {
  /** an O_PATH fd of the root; closed by close() */
  readonly fd: number;

  constructor(
    private readonly native: Native,
    root: string,
  ) {
    this.fd = fs.openSync(root, native.O_PATH | fs.constants.O_DIRECTORY);
  }

  /**
   * Opens a container path (absolute or not, always inside the root); symlinks on the way and at
   * the end are followed inside the root unless `flags` has O_NOFOLLOW.
   */
  open(containerPath: string | Buffer, flags: number, mode?: number): number {
    return this.native.openat2(this.fd, containerPath, flags, this.native.RESOLVE_IN_ROOT | this.native.RESOLVE_NO_MAGICLINKS, mode);
  }

  /**
   * The bytes of a small regular file (/etc/passwd, /etc/group), or undefined when it is missing.
   * Opened without blocking (a FIFO would hang the reader) and checked to be a regular file (a
   * device such as /dev/zero would never end), then read up to `limit` bytes: anything else is a
   * one-line error naming the container path.
   */
  readSmallFile(containerPath: string, limit: number): Buffer | undefined {
    let fd: number;
    try {
      fd = this.open(containerPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
      throw invalidArgument(`cannot read ${containerPath} in the container: ${describeErrno(err)}`);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw invalidArgument(`cannot read ${containerPath} in the container: not a regular file`);
      if (st.size > limit) throw invalidArgument(`cannot read ${containerPath} in the container: larger than ${limit} bytes`);
      const buffer = Buffer.alloc(limit + 1);
      let length = 0;
      for (let n; length <= limit && (n = fs.readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
      if (length > limit) throw invalidArgument(`cannot read ${containerPath} in the container: larger than ${limit} bytes`);
      return buffer.subarray(0, length);
    } finally {
      fs.closeSync(fd);
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Runs fn with the root open, and closes it after. */
export function withRoot<T>(native: Native, root: string, fn: (root: InRoot) => T): T {
  const inRoot = new InRoot(native, root);
  try {
    return fn(inRoot);
  } finally {
    inRoot.close();
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ELOOP: 'too many levels of symbolic links',
  EXDEV: 'a path leads out of the container',
  EACCES: 'permission denied',
  ENAMETOOLONG: 'file name too long',
};

/** "permission denied" for an EACCES: the errno, readable, without Node's syscall and path. */
export function describeErrno(err: unknown): string {
  const code = errnoCode(err);
  return (code && ERRNO_TEXT[code]) ?? (err instanceof Error ? err.message.replace(/^E[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(err));
}
