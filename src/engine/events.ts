/**
 * Progress of long operations (load, save, import, later pull/push/build), as
 * typed events. The engine only emits them; each face renders them its own
 * way (CLI progress bar or plain lines, TUI status line, API JSON lines).
 */
export type ProgressEvent =
  /** `current` of `total` bytes done for one item; total is undefined when unknown */
  | { type: 'progress'; operation: string; id: string; current: number; total?: number }
  /** one item finished: a layer applied, a blob written */
  | { type: 'done'; operation: string; id: string; message: string }
  /** a line worth showing as it is (e.g. "Loaded image: busybox:latest") */
  | { type: 'status'; message: string };

export type ProgressListener = (event: ProgressEvent) => void;

export const ignoreProgress: ProgressListener = () => {};
