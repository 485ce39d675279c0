import type { CommandSpec, Parsed } from './args.js';
import type { CliContext } from './context.js';
import { print } from './context.js';
import { ago, humanSize, renderFormat, shortId, table } from './format.js';
import { layerTree, type ImageSummary, type LayerTreeNode } from '../../engine/images/service.js';
import type { Digest } from '../../engine/digest.js';
import { invalidArgument } from '../../engine/errors.js';

export const spec: CommandSpec = {
  name: 'images',
  usage: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  maxArgs: 1,
  flags: {
    all: { type: 'bool', short: 'a', description: 'Show all images (default hides intermediate images)' },
    quiet: { type: 'bool', short: 'q', description: 'Only show image IDs' },
    digests: { type: 'bool', description: 'Show digests' },
    'no-trunc': { type: 'bool', description: "Don't truncate output" },
    format: { type: 'string', value: 'string', description: 'Format output using a custom template' },
    filter: { type: 'list', short: 'f', value: 'filter', description: 'Filter output based on conditions provided (dangling=true|false, reference=…)' },
    tree: { type: 'bool', description: 'Show the layer tree: which images share which layers' },
  },
};

interface Row {
  ID: string;
  Repository: string;
  Tag: string;
  Digest: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
}

export async function run(ctx: CliContext, { flags, args }: Parsed): Promise<void> {
  const engine = await ctx.engine();
  let images = engine.images.list({ repository: args[0] });
  if (!flags.all) {
    // Intermediate images: untagged parents of other images (build and commit steps).
    const parents = new Set(images.map((i) => i.parent));
    images = images.filter((i) => i.repoTags.length > 0 || !parents.has(i.id));
  }
  for (const filter of flags.filter as string[]) {
    const [key, value = ''] = filter.split('=', 2);
    if (key === 'dangling') images = images.filter((i) => (i.repoTags.length === 0) === (value === 'true'));
    else if (key === 'reference') images = images.filter((i) => i.repoTags.some((t) => globMatch(value, t) || globMatch(value, t.split(':')[0])));
    else throw invalidArgument(`invalid filter '${key}'`);
  }
  if (flags.tree) {
    const size = (chainId: Digest) => engine.images.layerSize(chainId);
    print(ctx, renderTree(layerTree(images, size), flags['no-trunc'] === true));
    return;
  }
  const noTrunc = flags['no-trunc'] === true;
  const id = (i: ImageSummary) => (noTrunc ? i.id : shortId(i.id));
  if (flags.quiet) {
    print(ctx, [...new Set(images.map(id))].join('\n'));
    return;
  }
  const rows: Row[] = images.flatMap((image) => {
    const tags = image.repoTags.length > 0 ? image.repoTags : ['<none>:<none>'];
    return tags.map((tag) => {
      const colon = tag.lastIndexOf(':');
      const repository = tag.slice(0, colon);
      const digest = image.repoDigests.find((d) => d.startsWith(`${repository}@`))?.split('@')[1] ?? '<none>';
      return {
        ID: id(image),
        Repository: repository,
        Tag: tag.slice(colon + 1),
        Digest: digest,
        CreatedSince: ago(image.created),
        CreatedAt: image.created ?? '',
        Size: humanSize(image.size),
      };
    });
  });
  if (typeof flags.format === 'string') {
    print(ctx, renderFormat(flags.format, rows, { ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT' }));
    return;
  }
  const header = ['REPOSITORY', 'TAG', ...(flags.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
  print(
    ctx,
    table(
      header,
      rows.map((r) => [r.Repository, r.Tag, ...(flags.digests ? [r.Digest] : []), r.ID, r.CreatedSince, r.Size]),
    ),
  );
}

/** The seed's `docker images --tree`: └─<layer> Virtual Size: 4.26 MB Tags: busybox:latest */
function renderTree(roots: LayerTreeNode[], noTrunc: boolean): string {
  const lines: string[] = [];
  const walk = (nodes: LayerTreeNode[], indent: string) => {
    nodes.forEach((node, i) => {
      const last = i === nodes.length - 1;
      const tags = node.images.flatMap((img) => (img.repoTags.length > 0 ? img.repoTags : [`<none> (${shortId(img.id)})`]));
      const id = noTrunc ? node.chainId : shortId(node.chainId);
      lines.push(`${indent}${last ? '└─' : '├─'}${id} Virtual Size: ${humanSize(node.virtualSize)}${tags.length ? ` Tags: ${tags.join(', ')}` : ''}`);
      walk(node.children, indent + (last ? '  ' : '│ '));
    });
  };
  walk(roots, '');
  return lines.join('\n');
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
  return re.test(value);
}
