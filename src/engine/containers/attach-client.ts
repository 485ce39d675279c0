/**
 * A client of a shim's attach socket, for every face (CLI attach/run, TUI,
 * API). Knows frames, not terminals: the caller feeds stdin bytes and
 * receives output, start and exit events.
 */
import type { Socket } from 'node:net';
import { nodeNet } from '../builtins.js';
import { EventEmitter } from 'node:events';
import { unavailable } from '../errors.js';
import { Frame, FrameDecoder, PROTOCOL_VERSION, encodeFrame, socketAddress, type ExitInfo, type Hello } from '../runtime/attach-protocol.js';

export interface AttachEvents {
  stdout: [Buffer];
  stderr: [Buffer];
  started: [number];
  error: [{ code: number; message: string }];
  exit: [ExitInfo];
  /** the shim closed the connection (it exits after the container does) */
  close: [];
}

export class AttachSession extends EventEmitter<AttachEvents> {
  constructor(private readonly socket: Socket) {
    super();
    const decoder = new FrameDecoder((type, payload) => {
      switch (type) {
        case Frame.Stdout:
          this.emit('stdout', payload);
          break;
        case Frame.Stderr:
          this.emit('stderr', payload);
          break;
        case Frame.Started:
          this.emit('started', (JSON.parse(payload.toString()) as { pid: number }).pid);
          break;
        case Frame.Error:
          this.emit('error', JSON.parse(payload.toString()) as { code: number; message: string });
          break;
        case Frame.Exit:
          this.emit('exit', JSON.parse(payload.toString()) as ExitInfo);
          break;
        default:
          break;
      }
    });
    socket.on('data', (chunk) => decoder.push(chunk));
    socket.on('close', () => this.emit('close'));
    socket.on('error', () => {});
  }

  write(data: Buffer | string): void {
    this.socket.write(encodeFrame(Frame.Stdin, typeof data === 'string' ? Buffer.from(data) : data));
  }

  endStdin(): void {
    this.socket.write(encodeFrame(Frame.StdinEof));
  }

  resize(cols: number, rows: number): void {
    this.socket.write(encodeFrame(Frame.Resize, JSON.stringify({ cols, rows })));
  }

  signal(name: NodeJS.Signals): void {
    this.socket.write(encodeFrame(Frame.Signal, name));
  }

  /** Leaves the container running. */
  detach(): void {
    this.socket.end();
  }
}

/** Connects to a running (or held) container's shim. Throws unavailable if nobody listens. */
export function attach(containerDir: string, hello: Omit<Hello, 'version'>): Promise<AttachSession> {
  const address = socketAddress(containerDir, 'attach.sock');
  return new Promise<AttachSession>((resolve, reject) => {
    const socket = nodeNet().connect(address.path);
    socket.once('error', (err) => reject(unavailable(`cannot attach: the container's keeper is not listening (${(err as NodeJS.ErrnoException).code})`, err)));
    socket.once('connect', () => {
      const session = new AttachSession(socket);
      socket.write(encodeFrame(Frame.Hello, JSON.stringify({ version: PROTOCOL_VERSION, ...hello })));
      resolve(session);
    });
  }).finally(() => address.close());
}
