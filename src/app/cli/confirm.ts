import readline from 'node:readline/promises';
import type { CliContext } from './context.js';

/** Docker's "[y/N]" prompt on stdin; anything but y/yes declines. */
export async function confirm(ctx: CliContext, warning: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: ctx.out });
  try {
    const answer = await rl.question(`${warning}\nAre you sure you want to continue? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
