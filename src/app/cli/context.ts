/**
 * What a CLI verb gets: its parsed input, where to write, and the engine,
 * opened on first use so `berth --help` and `berth version` stay instant.
 */
import type { Engine } from '../../engine/engine.js';

export interface CliContext {
  /** store root from --root, $BERTH_ROOT or the default */
  root: string | undefined;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  engine(): Promise<Engine>;
}

export function print(ctx: CliContext, text: string): void {
  if (text !== '') ctx.out.write(text.endsWith('\n') ? text : `${text}\n`);
}
