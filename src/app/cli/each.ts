import type { CliContext } from './context.js';
import { print } from './context.js';
import { reportError } from './report.js';

/** Docker's multi-container verbs: act on each, print each name that worked, report each failure, exit 1 if any failed. */
export async function forEachContainer(ctx: CliContext, names: string[], act: (name: string) => Promise<unknown> | unknown): Promise<number> {
  let failed = false;
  for (const name of names) {
    try {
      await act(name);
      print(ctx, name);
    } catch (err) {
      reportError(ctx, err);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
