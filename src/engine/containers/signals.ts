/** Signals by Docker's spellings, as stop, kill and --stop-signal take them. */
import os from 'node:os';
import { invalidArgument } from '../errors.js';

/** "TERM", "SIGTERM", "term", "15" → "SIGTERM" (what process.kill takes). */
export function normalizeSignal(value: string): NodeJS.Signals {
  const signals = os.constants.signals as Record<string, number>;
  if (/^\d+$/.test(value)) {
    const name = Object.entries(signals).find(([, n]) => n === Number(value))?.[0];
    if (name) return name as NodeJS.Signals;
  } else {
    const name = value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`;
    if (name in signals) return name as NodeJS.Signals;
  }
  throw invalidArgument(`Invalid signal: ${value}`);
}

/**
 * The signal `stop` sends: the container's own, or SIGTERM when it has none or one that names no
 * signal (an image's StopSignal is not checked at create; Docker falls back the same way).
 */
export function stopSignalOf(recorded: string | undefined): NodeJS.Signals {
  if (recorded === undefined || recorded === '') return 'SIGTERM';
  try {
    return normalizeSignal(recorded);
  } catch {
    return 'SIGTERM';
  }
}
