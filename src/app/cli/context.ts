/**
 * What a CLI verb gets: its parsed input, where to write, and the engine,
 * opened on first use so `berth --help` and `berth version` stay instant.
 */
import type { Engine } from '../../engine/engine.js';

export interface CliContext {
  /** store root from --root, $BERTH_ROOT or the default */
  root: string | undefined;
  /** the command's name (`commit`, `network create`), for the messages that name it */
  verb?: string;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  /** writes text to out; main() writes it without building the stream when it can */
  write?(text: string): void;
  engine(): Promise<Engine>;
}

export function print(ctx: CliContext, text: string): void {
  if (text === '') return;
  const line = text.endsWith('\n') ? text : `${text}\n`;
  if (ctx.write) ctx.write(line);
  else ctx.out.write(line);
}
