/**
 * The one error type the engine throws. Faces map `kind` to an exit code or an
 * HTTP status in one table (src/app/cli/exit-codes.ts); nothing branches on
 * message text.
 */
import { getSystemErrorMap } from 'node:util';

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

/**
 * What went wrong, in words fit for a message line: a BerthError's own
 * message; a system error's description without its code, syscall or path
 * ("ENOSPC: no space left on device, write '/var/lib/…'" becomes "no space
 * left on device": paths inside the store are no business of the user's);
 * zlib's text as "corrupt gzip data (incorrect header check)".
 */
export function describeCause(err: unknown): string {
  if (err instanceof BerthError) return err.message;
  const code = errnoCode(err);
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*[\r\n]+\s*/g, ' ');
  if (code?.startsWith('Z_')) return `corrupt gzip data (${message})`;
  if (code && /^E[A-Z0-9]+$/.test(code)) {
    const errno = (err as { errno?: unknown }).errno;
    const described = typeof errno === 'number' ? getSystemErrorMap().get(errno)?.[1] : undefined;
    return described ?? message.replace(new RegExp(`^${code}: `), '').replace(/, \w+( '.*')?$/, '');
  }
  return message;
}

/**
 * `err` as one BerthError line under `context` ("layer sha256:…: no space
 * left on device"). A BerthError keeps its kind; a full disk is unavailable,
 * corrupt compressed data invalid-argument, anything else internal.
 */
export function withContext(context: string, err: unknown): BerthError {
  const message = `${context}: ${describeCause(err)}`;
  if (err instanceof BerthError) return new BerthError(err.kind, message, { cause: err.cause ?? err });
  const code = errnoCode(err) ?? '';
  if (code === 'ENOSPC' || code === 'EDQUOT') return unavailable(message, err);
  if (code.startsWith('Z_')) return invalidArgument(message, err);
  return internal(message, err);
}

/** The `code` of a Node system error (ENOENT, EEXIST, …), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * The filesystem has no room, on the error or its causes: ENOSPC, EDQUOT,
 * SQLite's SQLITE_FULL ("database or disk is full"), and SQLITE_IOERR_SHMSIZE
 * ("disk I/O error" when the 32 KiB wal-index beside the database cannot
 * grow: what a full disk does to every connection, even a reader).
 */
export function isOutOfSpace(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (OUT_OF_SPACE_CODES.has(errnoCode(e) ?? '')) return true;
  }
  return false;
}

const OUT_OF_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE']);

/** What a user is told when the disk is full, in the words of the kernel's strerror(ENOSPC). */
export const NO_SPACE = 'no space left on device';

/**
 * One line for an error that may be a raw system error: "no space left on
 * device" for every out-of-space failure, whatever file or table it hit (its
 * path is the store's business), the message otherwise.
 */
export function plainMessage(err: unknown): string {
  if (isOutOfSpace(err)) return NO_SPACE;
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/** The filesystem has no room, whatever the operation was writing. */
export class OutOfSpaceError extends BerthError {
  constructor(operation: string | undefined, cause: unknown) {
    super('unavailable', operation ? `${operation}: ${NO_SPACE}` : NO_SPACE, { cause });
  }
}

/**
 * An error as a face reports it: any out-of-space failure, raw or wrapped, is
 * one OutOfSpaceError naming the operation (`commit: no space left on
 * device`); anything else is returned as it is.
 */
export function asReported(err: unknown, operation?: string): unknown {
  if (err instanceof StartError || err instanceof OutOfSpaceError || !isOutOfSpace(err)) return err;
  return new OutOfSpaceError(operation, err);
}
