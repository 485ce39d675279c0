/**
 * JSON documents that arrive with images (manifest.json, index.json,
 * manifests, configs) are parsed only within bounds. V8's JSON.parse takes a
 * million nested arrays in its stride, but everything after it that recurses
 * (JSON.stringify for inspect, structuredClone) then dies with "Maximum call
 * stack size exceeded"; and a document of gigabytes would be read whole into
 * memory. So size and depth are checked on the bytes, before parsing.
 */
import { invalidArgument } from '../errors.js';

export interface JsonBounds {
  maxBytes: number;
  /** Arrays and objects inside one another; a real config nests five or six deep. */
  maxDepth: number;
}

/** containers/image, which Podman and skopeo read images with, caps manifests and configs at 4 MiB; distribution caps manifests there too. */
export const IMAGE_DOCUMENT_BOUNDS: JsonBounds = { maxBytes: 4 * 1024 * 1024, maxDepth: 100 };

/** `${what}: larger than 4 MiB`, for a document known by its size before it is read. */
export function checkJsonSize(size: number, what: string, bounds: JsonBounds = IMAGE_DOCUMENT_BOUNDS): void {
  if (size > bounds.maxBytes) throw invalidArgument(`${what}: larger than ${bounds.maxBytes / (1024 * 1024)} MiB`);
}

/**
 * The deepest nesting of `bytes` read as JSON, stopping (and returning) as
 * soon as it passes `limit`. Brackets inside strings do not count; a string
 * ends at an unescaped quote. Malformed input is left for JSON.parse to refuse.
 */
function nestingDepth(bytes: Buffer, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/** Parses `bytes` as JSON within `bounds`; every refusal is one line starting with `what` ("invalid image config"). */
export function parseBoundedJson(bytes: Buffer, what: string, bounds: JsonBounds = IMAGE_DOCUMENT_BOUNDS): unknown {
  checkJsonSize(bytes.length, what, bounds);
  if (nestingDepth(bytes, bounds.maxDepth) > bounds.maxDepth) throw invalidArgument(`${what}: nested deeper than ${bounds.maxDepth} levels`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalidArgument(`${what}: not valid JSON (${(err as Error).message.replace(/\s*[\r\n]+\s*/g, ' ')})`, err);
  }
}
