import type { Parsed } from './args.js';
import type { CliContext } from './context.js';
import { imageSpec, run as inspect } from './inspect.js';

export const spec = imageSpec;

export function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  return inspect(ctx, { ...parsed, flags: { ...parsed.flags, type: 'image' } });
}
