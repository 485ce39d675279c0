/**
 * The protocol on containers/<id>/attach.sock between the shim and its
 * clients (CLI attach, TUI, API). Every message is a frame:
 * [type: u8][length: u32 big-endian][payload]. A client first sends HELLO;
 * the shim answers with STARTED (or ERROR) once the container's process runs,
 * and EXIT when it ends. Versioned by HELLO's `version`.
 */
import fs from 'node:fs';

export const PROTOCOL_VERSION = 1;

export enum Frame {
  Stdin = 0x00,
  Stdout = 0x01,
  Stderr = 0x02,
  Resize = 0x03,
  Signal = 0x04,
  Exit = 0x05,
  StdinEof = 0x06,
  Hello = 0x10,
  Started = 0x11,
  Error = 0x12,
}

export interface Hello {
  version: number;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** a client that only waits for the exit (wait, stop) */
  watchOnly?: boolean;
  cols?: number;
  rows?: number;
}

export interface ExitInfo {
  code: number;
  oomKilled: boolean;
  error?: string;
}

export function encodeFrame(type: Frame, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(5);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** Splits a byte stream into frames; feed it chunks, it calls back per whole frame. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (type: Frame, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 5) {
      const length = this.buffer.readUInt32BE(1);
      if (this.buffer.length < 5 + length) break;
      const type = this.buffer.readUInt8(0) as Frame;
      const payload = this.buffer.subarray(5, 5 + length);
      this.buffer = this.buffer.subarray(5 + length);
      this.onFrame(type, payload);
    }
  }
}

/**
 * A unix socket address for `dir/name` that fits sun_path's 108 bytes however
 * long the store root is: the directory is opened and named through
 * /proc/self/fd. Close it once bound or connected.
 */
export function socketAddress(dir: string, name: string): { path: string; close(): void } {
  const full = `${dir}/${name}`;
  if (Buffer.byteLength(full) < 100) return { path: full, close: () => {} };
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  return { path: `/proc/self/fd/${fd}/${name}`, close: () => fs.closeSync(fd) };
}
