/**
 * Layer blobs and archives arrive plain, gzipped or (from newer registries)
 * zstd-compressed; which one is told by the first bytes, never by a name.
 */
import { nodeChildProcess } from '../builtins.js';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { unavailable } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'zstd';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Reads until at least `n` bytes (or the end) are buffered, then puts them back. */
async function peek(input: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < n) {
    const chunk = input.read() as Buffer | null;
    if (chunk === null) {
      if (input.readableEnded || input.destroyed) break;
      const more = await new Promise<boolean>((resolve, reject) => {
        const onReadable = () => done(true);
        const onEnd = () => done(false);
        const onError = (err: Error) => {
          cleanup();
          reject(err);
        };
        const cleanup = () => {
          input.off('readable', onReadable);
          input.off('end', onEnd);
          input.off('error', onError);
        };
        const done = (value: boolean) => {
          cleanup();
          resolve(value);
        };
        input.on('readable', onReadable);
        input.on('end', onEnd);
        input.on('error', onError);
      });
      if (!more) break;
      continue;
    }
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) input.unshift(head);
  return head;
}

/** The input, decompressed if its first bytes say it is compressed. */
export async function decompressed(input: Readable): Promise<Readable> {
  const kind = detectCompression(await peek(input, 4));
  if (kind === 'gzip') return input.pipe(createGunzip()).on('error', () => {});
  if (kind === 'zstd') return zstdDecompress(input);
  return input;
}

function zstdDecompress(input: Readable): Readable {
  const child = nodeChildProcess().spawn('zstd', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const output = child.stdout;
  child.on('error', () => output.destroy(unavailable('zstd-compressed content needs the zstd program (apt-get install zstd)')));
  child.on('exit', (code) => {
    if (code !== 0) output.destroy(unavailable(`zstd failed to decompress (exit ${code})`));
  });
  input.pipe(child.stdin).on('error', () => {});
  return output;
}

/** A pass-through that reports the running byte count. */
export function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      onBytes(total);
      callback(null, chunk);
    },
  });
}
