import { BerthError, asReported } from '../../engine/errors.js';
import type { CliContext } from './context.js';

/** One readable line per error; a stack only with BERTH_DEBUG, for errors that are bugs. */
export function reportError(ctx: Pick<CliContext, 'err' | 'verb'>, caught: unknown): void {
  const err = asReported(caught, ctx.verb);
  if (err instanceof BerthError) {
    ctx.err.write(`Error: ${err.message}\n`);
    if (process.env.BERTH_DEBUG && err.cause) ctx.err.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return;
  }
  const e = err as Error;
  ctx.err.write(`Error: ${e?.message ?? String(err)}\n`);
  if (process.env.BERTH_DEBUG && e?.stack) ctx.err.write(`${e.stack}\n`);
}
