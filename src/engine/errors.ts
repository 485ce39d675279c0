/**
 * The one error type the engine throws. Faces map `kind` to an exit code or an
 * HTTP status in one table (src/app/cli/exit-codes.ts); nothing branches on
 * message text.
 */
export type ErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'invalid-argument'
  | 'failed-precondition'
  | 'unavailable'
  | 'internal';

export class BerthError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'BerthError';
  }
}

/** A failure to start a container's process, with the exit code Docker gives it (125 engine, 126 cannot invoke, 127 not found). */
export class StartError extends BerthError {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(exitCode === 125 ? 'failed-precondition' : 'invalid-argument', message);
  }
}

export const notFound = (message: string, cause?: unknown) => new BerthError('not-found', message, { cause });
export const alreadyExists = (message: string, cause?: unknown) => new BerthError('already-exists', message, { cause });
export const invalidArgument = (message: string, cause?: unknown) => new BerthError('invalid-argument', message, { cause });
export const failedPrecondition = (message: string, cause?: unknown) =>
  new BerthError('failed-precondition', message, { cause });
export const unavailable = (message: string, cause?: unknown) => new BerthError('unavailable', message, { cause });
export const internal = (message: string, cause?: unknown) => new BerthError('internal', message, { cause });

export function isBerthError(err: unknown, kind?: ErrorKind): err is BerthError {
  return err instanceof BerthError && (kind === undefined || err.kind === kind);
}

/** The `code` of a Node system error (ENOENT, EEXIST, …), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
