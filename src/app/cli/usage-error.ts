import type { CommandSpec } from './args.js';

/** Bad command-line input: shown with a pointer to --help, exit 125 as Docker does. */
export class UsageError extends Error {
  constructor(
    readonly spec: CommandSpec | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
