/**
 * The verbs the CLI knows, each loaded only when used so a command pays only
 * for what it needs at start-up. Docker's management-command spellings
 * (`image ls`, `image rm`, …) map to the same modules.
 */
import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';

export interface CommandModule {
  spec: CommandSpec;
  run(ctx: CliContext, parsed: Parsed): Promise<number | void>;
}

type Loader = () => Promise<CommandModule>;

export const COMMANDS: Record<string, Loader> = {
  images: () => import('./images.js'),
  history: () => import('./history.js'),
  import: () => import('./import.js'),
  inspect: () => import('./inspect.js'),
  load: () => import('./load.js'),
  save: () => import('./save.js'),
  tag: () => import('./tag.js'),
  rmi: () => import('./rmi.js'),
  version: () => import('./version.js'),
  info: () => import('./info.js'),
  'image ls': () => import('./images.js'),
  'image list': () => import('./images.js'),
  'image history': () => import('./history.js'),
  'image import': () => import('./import.js'),
  'image inspect': () => import('./image-inspect.js'),
  'image load': () => import('./load.js'),
  'image save': () => import('./save.js'),
  'image tag': () => import('./tag.js'),
  'image rm': () => import('./rmi.js'),
  'image prune': () => import('./image-prune.js'),
  'system info': () => import('./info.js'),
};

/** For `berth --help`: the top-level verbs with one line each. */
export const SUMMARY: [string, string][] = [
  ['history', 'Show the history of an image'],
  ['images', 'List images (--tree: the layers they share)'],
  ['import', 'Import the contents from a tarball to create a filesystem image'],
  ['info', 'Display system-wide information'],
  ['inspect', 'Return low-level information on berth objects'],
  ['load', 'Load an image from a tar archive or STDIN'],
  ['rmi', 'Remove one or more images'],
  ['save', 'Save one or more images to a tar archive'],
  ['tag', 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'],
  ['version', 'Show the berth version information'],
  ['image', 'Manage images (ls, history, import, inspect, load, prune, rm, save, tag)'],
];
