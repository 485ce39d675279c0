import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { renderTemplate } from './format.js';
import { engineVersion } from '../../engine/engine.js';

export const spec: CommandSpec = {
  name: 'info',
  usage: 'info [OPTIONS]',
  description: 'Display system-wide information',
  maxArgs: 0,
  flags: {
    format: { type: 'string', short: 'f', value: 'string', description: 'Format output using a custom template' },
  },
};

export async function run(ctx: CliContext, { flags }: Parsed): Promise<void> {
  const info = (await ctx.engine()).info();
  const cgroup = info.cgroupVersion === 'hybrid' ? '1 (hybrid: cgroup2 mounted at /sys/fs/cgroup/unified)' : info.cgroupVersion;
  if (typeof flags.format === 'string') {
    print(
      ctx,
      renderTemplate(flags.format, {
        Containers: info.containers.total,
        ContainersRunning: info.containers.running,
        ContainersPaused: info.containers.paused,
        ContainersStopped: info.containers.stopped,
        Images: info.images,
        Layers: info.layers,
        Driver: info.storageDriver,
        CgroupVersion: info.cgroupVersion,
        KernelVersion: info.kernelVersion,
        OperatingSystem: info.operatingSystem,
        OSType: info.osType,
        Architecture: info.architecture,
        NCPU: info.cpus,
        MemTotal: info.memoryBytes,
        Name: info.hostname,
        RootDir: info.root,
        ServerVersion: engineVersion(),
      }),
    );
    return;
  }
  print(
    ctx,
    [
      'Client:',
      ` Version:    ${engineVersion()}`,
      ' Context:    default (in-process engine)',
      '',
      'Server:',
      ` Containers: ${info.containers.total}`,
      `  Running: ${info.containers.running}`,
      `  Paused: ${info.containers.paused}`,
      `  Stopped: ${info.containers.stopped}`,
      ` Images: ${info.images}`,
      ` Server Version: ${engineVersion()}`,
      ` Storage Driver: ${info.storageDriver}`,
      `  Layers: ${info.layers}`,
      '  Supports d_type: true',
      ' Cgroup Driver: cgroupfs',
      ` Cgroup Version: ${cgroup}`,
      ` Kernel Version: ${info.kernelVersion}`,
      ` Operating System: ${info.operatingSystem}`,
      ` OSType: ${info.osType}`,
      ` Architecture: ${info.architecture}`,
      ` CPUs: ${info.cpus}`,
      ` Total Memory: ${(info.memoryBytes / 1024 ** 3).toFixed(2)}GiB`,
      ` Name: ${info.hostname}`,
      ` Berth Root Dir: ${info.root}`,
    ].join('\n'),
  );
}
