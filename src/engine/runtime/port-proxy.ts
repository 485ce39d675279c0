/**
 * Published ports, kept by the shim: a listening socket on the host per
 * binding, relaying to the container's address — berth-proxy for TCP, a
 * Node relay for UDP. A user-space proxy (as Docker's docker-proxy) answers
 * on 127.0.0.1 and on every host address alike without touching
 * route_localnet, and a port already taken on the host fails the start with
 * one line instead of a rule that silently loses.
 */
import type { Socket as UdpSocket } from 'node:dgram';
import { nodeChildProcess, nodeDgram } from '../builtins.js';
import { failedPrecondition } from '../errors.js';
import { helperPath } from './launch.js';
import type { PortBinding, PublishedPorts } from '../networks/ports.js';

const UDP_IDLE_MS = 90_000;

export class PortProxies {
  private readonly closers: (() => void)[] = [];
  readonly published: PublishedPorts = {};

  /** Binds every port or none: on a failure the ones already bound are closed again. */
  static async open(bindings: PortBinding[], target: string, endpoint: string): Promise<PortProxies> {
    const proxies = new PortProxies();
    try {
      for (const b of bindings) {
        const port = b.proto === 'tcp' ? await proxies.tcp(b, target) : await proxies.udp(b, target);
        const key = `${b.containerPort}/${b.proto}`;
        (proxies.published[key] ??= []).push({ HostIp: b.hostIp || '0.0.0.0', HostPort: String(port) });
      }
    } catch (err) {
      proxies.close();
      const b = (err as { binding?: PortBinding }).binding;
      if (b && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw failedPrecondition(
          `driver failed programming external connectivity on endpoint ${endpoint}: Bind for ${b.hostIp || '0.0.0.0'}:${b.hostPort} failed: port is already allocated`,
        );
      }
      if (b) throw failedPrecondition(`driver failed programming external connectivity on endpoint ${endpoint}: listen ${b.proto} ${b.hostIp || '0.0.0.0'}:${b.hostPort}: ${(err as Error).message}`);
      throw err;
    }
    return proxies;
  }

  close(): void {
    for (const close of this.closers.splice(0)) close();
  }

  /** TCP goes through berth-proxy (splice(2) between the sockets): a Node relay manages a third of the throughput. */
  private tcp(binding: PortBinding, target: string): Promise<number> {
    const child = nodeChildProcess().spawn(helperPath('berth-proxy'), [binding.hostIp || '0.0.0.0', String(binding.hostPort), target, String(binding.containerPort)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return new Promise((resolve, reject) => {
      let line = '';
      const fail = (code: string, message: string) => reject(Object.assign(new Error(message), { code, binding }));
      child.once('error', (err) => fail('EIO', err.message));
      child.stdout!.on('data', (chunk: Buffer) => {
        line += chunk.toString();
        const end = line.indexOf('\n');
        if (end < 0) return;
        const [word, code, ...rest] = line.slice(0, end).split(' ');
        if (word === 'listening') {
          this.closers.push(() => child.kill('SIGKILL'));
          resolve(Number(code));
        } else fail(code ?? 'EIO', rest.join(' ') || line.trim());
      });
      child.once('exit', (code) => {
        if (!line.includes('\n')) fail('EIO', `berth-proxy exited ${code}`);
      });
    });
  }

  private udp(binding: PortBinding, target: string): Promise<number> {
    const socket = nodeDgram().createSocket('udp4');
    // One upstream socket per client, so replies find their way back; dropped when idle.
    const flows = new Map<string, { upstream: UdpSocket; timer: NodeJS.Timeout }>();
    socket.on('message', (message, from) => {
      const key = `${from.address}:${from.port}`;
      let flow = flows.get(key);
      if (!flow) {
        const upstream = nodeDgram().createSocket('udp4');
        upstream.on('message', (reply) => socket.send(reply, from.port, from.address));
        upstream.on('error', () => upstream.close());
        flow = { upstream, timer: setTimeout(() => undefined, 0) };
        flows.set(key, flow);
      }
      clearTimeout(flow.timer);
      const current = flow;
      current.timer = setTimeout(() => {
        current.upstream.close();
        flows.delete(key);
      }, UDP_IDLE_MS);
      current.upstream.send(message, binding.containerPort, target);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => reject(Object.assign(err, { binding })));
      socket.bind({ address: binding.hostIp || '0.0.0.0', port: binding.hostPort, exclusive: true }, () => {
        this.closers.push(() => {
          for (const flow of flows.values()) {
            clearTimeout(flow.timer);
            flow.upstream.close();
          }
          socket.close();
        });
        resolve(socket.address().port);
      });
    });
  }
}
