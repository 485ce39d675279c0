/**
 * The one table from engine error kinds to exit codes. Docker's CLI exits 1
 * when the engine refuses a request, and 125 when its own machinery fails
 * (and for every error of run/create/start, which reserve 126/127 and the
 * command's own codes for the container).
 */
import type { ErrorKind } from '../../engine/errors.js';

export const EXIT_USAGE = 125;

export function exitCodeFor(kind: ErrorKind | undefined, command: { containerVerb?: boolean }): number {
  if (command.containerVerb) return 125;
  switch (kind) {
    case 'not-found':
    case 'already-exists':
    case 'invalid-argument':
    case 'failed-precondition':
      return 1;
    default:
      return 125;
  }
}
