/**
 * Docker's detach keys: a sequence like "ctrl-p,ctrl-q" that leaves an
 * attached container running. Bytes that start the sequence are held back
 * until it is clear whether the sequence follows; if not, they pass through
 * to the container untouched (a lone ctrl-p still reaches it).
 */
import { invalidArgument } from '../engine/errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** "ctrl-p,ctrl-q" → [0x10, 0x11]; "ctrl-@" … "ctrl-_", "ctrl-[a-z]" and single characters, as Docker accepts. */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((key) => {
    const k = key.trim();
    if (k.length === 1) return k.charCodeAt(0);
    const ctrl = /^ctrl-(.)$/i.exec(k);
    if (ctrl) {
      const c = ctrl[1];
      if (/[a-z]/i.test(c)) return c.toLowerCase().charCodeAt(0) - 0x60;
      const special = '@[\\]^_'.indexOf(c);
      if (special >= 0) return special === 0 ? 0 : 0x1b + special - 1;
    }
    throw invalidArgument(`Invalid detach keys (${spec}) provided`);
  });
}

export class DetachKeyMatcher {
  private matched = 0;

  constructor(private readonly sequence: readonly number[]) {}

  /**
   * Feeds input; returns the bytes to pass to the container now, and whether
   * the whole sequence was typed (then everything after it is dropped).
   */
  feed(input: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of input) {
      if (this.sequence.length > 0 && byte === this.sequence[this.matched]) {
        this.matched++;
        if (this.matched === this.sequence.length) {
          this.matched = 0;
          return { forward: Buffer.from(out), detach: true };
        }
        continue;
      }
      // The held prefix was not the sequence after all: release it, then look at this byte afresh.
      if (this.matched > 0) {
        out.push(...this.sequence.slice(0, this.matched));
        this.matched = 0;
        if (byte === this.sequence[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(byte);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
