/**
 * Issue 5 acceptance (networks and ports), through the real CLI: containers
 * on a user network find each other by name and alias, published ports serve
 * the host, none/host modes, concurrent starts get distinct addresses, and
 * nothing (veth, namespace, lease, proxy) is left behind. Traffic stays on
 * loopback and on the test's own container addresses.
 */
import test from 'ava';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { berth, berthOk, freePort, requireRoot } from './helpers/berth.js';
import { containerRoot, eventually, removeCgroupParent } from './helpers/containers.js';
import { Engine } from '../src/engine/engine.js';

const rootTest = requireRoot(test, 'ip');
test.after.always(removeCgroupParent);

const HTTPD = (text: string) => `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 80 -h /www`;

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function hostInterfaces(): string[] {
  return fs.readdirSync('/sys/class/net');
}

/** Leases, veths and namespaces this root still holds. */
function leftovers(root: string): { leases: number; interfaces: string[]; namespaces: string[] } {
  const engine = Engine.open({ root });
  try {
    const leases = (engine.store.db.prepare('SELECT count(*) AS n FROM endpoints WHERE address IS NOT NULL').get() as { n: number }).n;
    const ids = fs.readdirSync(path.join(root, 'containers'));
    const rows = (engine.store.db.prepare('SELECT id FROM containers').all() as { id: string }[]).map((r) => r.id);
    const all = [...new Set([...ids, ...rows])];
    return {
      leases,
      interfaces: hostInterfaces().filter((n) => all.some((id) => n.startsWith(`vb${id.slice(0, 10)}`))),
      namespaces: fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns').filter((n) => all.some((id) => n === `berth-${id.slice(0, 16)}`)) : [],
    };
  } finally {
    engine.close();
  }
}

rootTest('two containers on a user network: one serves httpd, the other fetches by name and by alias', async (t) => {
  const root = await containerRoot(t);
  const created = await berthOk(root, 'network', 'create', 'appnet');
  t.regex(created, /^[0-9a-f]{64}\n$/);
  t.regex(await berthOk(root, 'network', 'ls'), /NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\n(.*\n)*[0-9a-f]{12}\s+appnet\s+bridge\s+local\n/);
  await berthOk(root, 'run', '-d', '--name', 'web', '--network', 'appnet', '--network-alias', 'www', 'busybox', 'sh', '-c', HTTPD('hello-by-name'));
  const fetch = async (host: string) => berth(root, 'run', '--rm', '--network', 'appnet', 'busybox', 'sh', '-c', `for i in $(seq 50); do wget -qO- http://${host}/ && exit 0; sleep 0.1; done; exit 1`);
  const byName = await fetch('web');
  t.is(byName.code, 0, byName.stderr);
  t.is(byName.stdout, 'hello-by-name\n');
  const byAlias = await fetch('www');
  t.is(byAlias.stdout, 'hello-by-name\n');
  // inspect: the container's address on the network, the network's members
  const settings = JSON.parse(await berthOk(root, 'inspect', 'web'))[0].NetworkSettings;
  t.regex(settings.Networks.appnet.IPAddress, /^\d+\.\d+\.\d+\.\d+$/);
  t.deepEqual(settings.Networks.appnet.Aliases.slice(0, 1), ['www']);
  const network = JSON.parse(await berthOk(root, 'network', 'inspect', 'appnet'))[0];
  t.is(network.Driver, 'bridge');
  t.deepEqual(Object.values(network.Containers).map((c) => (c as { Name: string }).Name), ['web']);
  // the default bridge gives no names, as Docker's
  t.not((await berth(root, 'run', '--rm', 'busybox', 'sh', '-c', 'wget -T 1 -qO- http://web/')).code, 0);
  // a network in use cannot go; an unknown one is one line
  const busy = await berth(root, 'network', 'rm', 'appnet');
  t.is(busy.code, 1);
  t.regex(busy.stderr, /has active endpoints/);
  const unknown = await berth(root, 'run', '--rm', '--network', 'nosuchnet', 'busybox', 'true');
  t.is(unknown.code, 125);
  t.regex(unknown.stderr, /network nosuchnet not found/);
  t.is(unknown.stderr.trim().split('\n').length, 1);
  await berthOk(root, 'rm', '-f', 'web');
  await berthOk(root, 'network', 'rm', 'appnet');
  t.notRegex(await berthOk(root, 'network', 'ls'), /appnet/);
  t.deepEqual(leftovers(root), { leases: 0, interfaces: [], namespaces: [] });
});

rootTest('-p ip:host:ctr serves the host; -P picks a free port that `port` reports; a taken host port is a clear error that leaves nothing', async (t) => {
  const root = await containerRoot(t);
  const port = await freePort();
  await berthOk(root, 'run', '-d', '--name', 'pub', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sh', '-c', HTTPD('published'));
  let body = '';
  await eventually(async () => (body = await get(`http://127.0.0.1:${port}/`).catch(() => '')) !== '', 15_000, 'httpd behind the published port');
  t.is(body, 'published\n');
  t.is(await berthOk(root, 'port', 'pub'), `80/tcp -> 127.0.0.1:${port}\n`);
  t.is(await berthOk(root, 'port', 'pub', '80'), `127.0.0.1:${port}\n`);
  t.is(await berthOk(root, 'ps', '--format', '{{.Ports}}', '--filter', 'name=pub'), `127.0.0.1:${port}->80/tcp\n`);

  // the same host port again: one line, exit 125, no lease/veth/namespace/proxy left
  const clash = await berth(root, 'run', '-d', '--name', 'clash', '-p', `127.0.0.1:${port}:80`, 'busybox', 'sleep', '100');
  t.is(clash.code, 125);
  t.regex(clash.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated`));
  t.is(clash.stderr.trim().split('\n').length, 1);
  await berthOk(root, 'rm', '-f', 'clash');

  // -P with an exposed port; reachable on every host address
  await berthOk(root, 'run', '-d', '--name', 'all', '-P', '--expose', '80', 'busybox', 'sh', '-c', HTTPD('random-port'));
  const line = await berthOk(root, 'port', 'all', '80/tcp');
  const match = /^0\.0\.0\.0:(\d+)\n$/.exec(line);
  t.truthy(match, line);
  const randomPort = Number(match![1]);
  await eventually(async () => (await get(`http://127.0.0.1:${randomPort}/`).catch(() => '')) === 'random-port\n', 15_000, 'httpd behind -P');
  const own = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.4'));
  if (own) t.is(await get(`http://${own.address}:${randomPort}/`), 'random-port\n');

  await berthOk(root, 'rm', '-f', 'pub', 'all');
  // the ports are free again once the containers are gone
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer().once('error', reject).listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
  t.deepEqual(leftovers(root), { leases: 0, interfaces: [], namespaces: [] });
  // bad -p: one line, nothing created
  const bad = await berth(root, 'run', '-d', '-p', '80:abc', 'busybox', 'true');
  t.is(bad.code, 125);
  t.regex(bad.stderr, /invalid publish spec "80:abc"/);
  t.is(await berthOk(root, 'ps', '-aq'), '');
});

rootTest('--network none has only loopback (up); --network host sees the host; container:<name> shares a network namespace', async (t) => {
  const root = await containerRoot(t);
  const none = await berthOk(root, 'run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net; echo; ip -o link show lo');
  t.is(none.split('\n\n')[0], 'lo');
  t.regex(none, /lo: <LOOPBACK,UP/);
  // other tests make and remove bridges meanwhile: what was there before and after must be seen, nothing else may be
  const before = hostInterfaces();
  const hostSide = (await berthOk(root, 'run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net')).trim().split(/\s+/).sort();
  const after = hostInterfaces();
  t.deepEqual(before.filter((n) => after.includes(n) && !hostSide.includes(n)), [], 'every host interface is seen');
  t.deepEqual(hostSide.filter((n) => !before.includes(n) && !after.includes(n)), [], 'nothing but the host\'s interfaces');
  t.true(hostSide.includes('lo') && hostSide.length >= 2);
  await berthOk(root, 'run', '-d', '--name', 'srv', 'busybox', 'sh', '-c', HTTPD('shared-netns'));
  const shared = await berth(root, 'run', '--rm', '--network', 'container:srv', 'busybox', 'sh', '-c', 'for i in $(seq 50); do wget -qO- http://127.0.0.1/ && exit 0; sleep 0.1; done; exit 1');
  t.is(shared.stdout, 'shared-netns\n');
  // the default bridge: an address and a default route through the gateway
  const bridged = await berthOk(root, 'run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; ip route');
  t.regex(bridged, /eth0\s+inet \d+\.\d+\.\d+\.\d+\/\d+/);
  t.regex(bridged, /default via \d+\.\d+\.\d+\.\d+ dev eth0/);
  // --add-host and --dns
  const files = await berthOk(root, 'run', '--rm', '--add-host', 'db.local:10.1.2.3', '--dns', '192.0.2.53', 'busybox', 'sh', '-c', 'cat /etc/hosts /etc/resolv.conf');
  t.regex(files, /10\.1\.2\.3\tdb\.local/);
  t.regex(files, /nameserver 192\.0\.2\.53/);
  const badHost = await berth(root, 'run', '--rm', '--add-host', 'nohost', 'busybox', 'true');
  t.is(badHost.code, 125);
  t.regex(badHost.stderr, /invalid argument "nohost" for "--add-host" flag/);
});

rootTest('30 containers started at once on one network get 30 distinct addresses; after rm nothing is left', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'network', 'create', '--subnet', '10.63.250.0/24', 'many');
  const runs = await Promise.all(Array.from({ length: 30 }, () => berth(root, 'run', '-d', '--network', 'many', 'busybox', 'sleep', '1000')));
  t.deepEqual(runs.filter((r) => r.code !== 0).map((r) => r.stderr), []);
  const network = JSON.parse(await berthOk(root, 'network', 'inspect', 'many'))[0];
  const addresses = Object.values(network.Containers).map((c) => (c as { IPv4Address: string }).IPv4Address);
  t.is(addresses.length, 30);
  t.is(new Set(addresses).size, 30);
  t.true(addresses.every((a) => a.startsWith('10.63.250.') && a !== '10.63.250.1/24'));
  const ids = runs.map((r) => r.stdout.trim());
  t.is(leftovers(root).interfaces.length, 30);
  await berthOk(root, 'rm', '-f', ...ids);
  t.deepEqual(leftovers(root), { leases: 0, interfaces: [], namespaces: [] });
  // a subnet that overlaps is refused in one line
  const overlap = await berth(root, 'network', 'create', '--subnet', '10.63.250.128/25', 'other');
  t.is(overlap.code, 1);
  t.regex(overlap.stderr, /overlaps/);
  const badName = await berth(root, 'network', 'create', 'bad name');
  t.not(badName.code, 0);
  t.regex(badName.stderr, /invalid network name/);
});

rootTest('a dead shim: the next engine start ends the container and releases its lease, veth and namespace', async (t) => {
  const root = await containerRoot(t);
  const id = (await berthOk(root, 'run', '-d', 'busybox', 'sleep', '1000')).trim();
  const engine = Engine.open({ root });
  const shimPid = engine.containers.get(id).shimPid;
  engine.close();
  process.kill(shimPid, 'SIGKILL');
  await eventually(() => !fs.existsSync(`/proc/${shimPid}`), 15_000, 'the shim to die');
  t.is(leftovers(root).leases, 1);
  t.regex(await berthOk(root, 'ps', '-a'), /Exited \(137\)/); // any command reconciles
  t.deepEqual(leftovers(root), { leases: 0, interfaces: [], namespaces: [] });
});

rootTest('network connect gives a running container a new interface and a name on that network; disconnect takes both away', async (t) => {
  const root = await containerRoot(t);
  await berthOk(root, 'network', 'create', 'second');
  await berthOk(root, 'network', 'create', 'third');
  await berthOk(root, 'run', '-d', '--name', 'multi', 'busybox', 'sleep', '1000');
  await berthOk(root, 'network', 'connect', '--alias', 'mult', 'second', 'multi');
  await berthOk(root, 'network', 'connect', 'third', 'multi');
  t.regex(await berthOk(root, 'exec', 'multi', 'ls', '/sys/class/net'), /^eth0\neth1\neth2\nlo\n$/);
  const reach = await berth(root, 'run', '--rm', '--network', 'second', 'busybox', 'sh', '-c', 'ping -c1 -W2 mult >/dev/null && ping -c1 -W2 multi >/dev/null && echo reached');
  t.is(reach.stdout, 'reached\n', reach.stderr);
  await berthOk(root, 'network', 'disconnect', 'second', 'multi');
  t.regex(await berthOk(root, 'exec', 'multi', 'ls', '/sys/class/net'), /^eth0\neth2\nlo\n$/);
  // reconnecting takes the free name again, not one in use
  await berthOk(root, 'network', 'connect', 'second', 'multi');
  t.regex(await berthOk(root, 'exec', 'multi', 'ls', '/sys/class/net'), /^eth0\neth1\neth2\nlo\n$/);
  const twice = await berth(root, 'network', 'connect', 'second', 'multi');
  t.is(twice.code, 1);
  t.regex(twice.stderr, /already exists in network second/);
  await berthOk(root, 'rm', '-f', 'multi');
  t.regex(await berthOk(root, 'network', 'prune', '-f'), /^Deleted Networks:\n(second\nthird|third\nsecond)\n/);
  t.deepEqual(leftovers(root), { leases: 0, interfaces: [], namespaces: [] });
});
