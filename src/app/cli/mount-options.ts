/**
 * `run`/`create`'s mount flags (-v, --mount, --volumes-from, --tmpfs) and what
 * Docker's CLI does to them before the engine sees them: host paths written
 * `./x` or `.` become absolute, and --mount is parsed, its errors naming the flag.
 */
import path from 'node:path';
import type { FlagSpec, Parsed } from './args.js';
import type { CreateOptions } from '../../engine/containers/service.js';
import { invalidArgument } from '../../engine/errors.js';
import { parseMountFlag } from '../../engine/volumes/parse.js';

export const MOUNT_FLAGS: Record<string, FlagSpec> = {
  volume: { type: 'list', short: 'v', value: 'list', description: 'Bind mount a volume' },
  mount: { type: 'list', value: 'mount', description: 'Attach a filesystem mount to the container' },
  'volumes-from': { type: 'list', value: 'list', description: 'Mount volumes from the specified container(s)' },
  tmpfs: { type: 'list', value: 'list', description: 'Mount a tmpfs directory' },
};

const relative = (p: string) => p === '.' || p.startsWith('./');

export function mountOptions(flags: Parsed['flags']): Pick<CreateOptions, 'volumes' | 'mounts' | 'volumesFrom' | 'tmpfs'> {
  const list = (name: string) => (flags[name] as string[] | undefined) ?? [];
  const volumes = list('volume').map((v) => {
    const colon = v.indexOf(':');
    return colon > 0 && relative(v.slice(0, colon)) ? `${path.resolve(v.slice(0, colon))}${v.slice(colon)}` : v;
  });
  const mounts = list('mount').map((value) => {
    try {
      const mount = parseMountFlag(value);
      if (mount.Source !== undefined && relative(mount.Source)) mount.Source = path.resolve(mount.Source);
      return mount;
    } catch (err) {
      throw invalidArgument(`invalid argument "${value}" for "--mount" flag: ${(err as Error).message}`);
    }
  });
  return { volumes, mounts, volumesFrom: list('volumes-from'), tmpfs: list('tmpfs') };
}
