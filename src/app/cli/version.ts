import os from 'node:os';
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { renderTemplate } from './format.js';
import { engineVersion } from '../../engine/engine.js';

export const spec: CommandSpec = {
  name: 'version',
  usage: 'version [OPTIONS]',
  description: 'Show the berth version information',
  maxArgs: 0,
  flags: {
    format: { type: 'string', short: 'f', value: 'string', description: 'Format output using a custom template' },
  },
};

/** The API version berth's Engine API server speaks (Docker's numbering). */
export const API_VERSION = '1.47';

export async function run(ctx: CliContext, { flags }: Parsed): Promise<void> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const version = engineVersion();
  const data = {
    Client: { Version: version, ApiVersion: API_VERSION, NodeVersion: process.version, Os: 'linux', Arch: arch },
    Server: {
      Engine: { Version: version, ApiVersion: API_VERSION, MinAPIVersion: '1.24', NodeVersion: process.version, Os: 'linux', Arch: arch, KernelVersion: os.release(), Mode: 'in-process (no daemon)' },
    },
  };
  if (typeof flags.format === 'string') {
    print(ctx, renderTemplate(flags.format, data));
    return;
  }
  print(
    ctx,
    [
      'Client:',
      ` Version:           ${version}`,
      ` API version:       ${API_VERSION}`,
      ` Node.js version:   ${process.version}`,
      ` OS/Arch:           linux/${arch}`,
      '',
      'Server: berth engine (in-process, no daemon)',
      ' Engine:',
      `  Version:          ${version}`,
      `  API version:      ${API_VERSION} (minimum version 1.24)`,
      `  Node.js version:  ${process.version}`,
      `  OS/Arch:          linux/${arch}`,
      `  Kernel:           ${os.release()}`,
    ].join('\n'),
  );
}
