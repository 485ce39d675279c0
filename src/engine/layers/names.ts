/**
 * File names in layers are bytes, not text: Linux and tar allow any byte but
 * NUL (and '/' between components), so `a\xff` and `a\xfe` are two files,
 * as Docker keeps them. Decoding such a name as UTF-8 (U+FFFD for both) would
 * merge them and lose one.
 *
 * Inside berth a path of a layer is a byte string: a JS string with one char
 * per byte (latin1), so that splitting on '/', Set and Map keys and sorting
 * (byte order, as Go's) work as on text while every byte survives. It becomes
 * a Buffer for each file-system call (Node's fs takes Buffer paths) and text
 * only to be shown.
 */
import { isUtf8 } from 'node:buffer';

/** A path as a byte string (one char per byte); see the module comment. */
export type BytePath = string;

export function bytePath(bytes: Buffer): BytePath {
  return bytes.toString('latin1');
}

export function pathBytes(p: BytePath): Buffer {
  return Buffer.from(p, 'latin1');
}

/** `rel` below the host directory `root` (text, as the store's paths are), as a path for fs calls. */
export function below(root: string, rel: BytePath): Buffer {
  const base = Buffer.from(root);
  return rel === '' ? base : Buffer.concat([base, Buffer.from('/'), pathBytes(rel)]);
}

/** The length of the UTF-8 sequence a lead byte starts, or 0 for a byte that starts none. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Splits bytes into runs of valid UTF-8 text and single bytes that are not part of any. */
function pieces(bytes: Buffer, text: (s: string) => string): string {
  if (isUtf8(bytes)) return text(bytes.toString('utf8'));
  let out = '';
  let run = 0;
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceLength(bytes[i]);
    if (n > 0 && i + n <= bytes.length && isUtf8(bytes.subarray(i, i + n))) {
      i += n;
      continue;
    }
    out += text(bytes.toString('utf8', run, i)) + `\\x${bytes[i].toString(16).padStart(2, '0')}`;
    run = ++i;
  }
  return out + text(bytes.toString('utf8', run));
}

/** A name to show: valid UTF-8 as it is, any other byte as `\xNN`, so distinct names stay distinct. */
export function displayName(name: Buffer | BytePath): string {
  return pieces(Buffer.isBuffer(name) ? name : pathBytes(name), (s) => s);
}

/** A name quoted for a one-line message: JSON's escapes for text, `\xNN` for bytes that are not UTF-8. */
export function quoteName(name: Buffer | BytePath): string {
  return `"${pieces(Buffer.isBuffer(name) ? name : pathBytes(name), (s) => JSON.stringify(s).slice(1, -1))}"`;
}
