/** Pure pieces of the CLI and of image references, tested directly. */
import test from 'ava';
import { parseArgs, type CommandSpec } from '../src/app/cli/args.js';
import { UsageError } from '../src/app/cli/usage-error.js';
import { ellipsis, humanDuration, humanSize, renderFormat, table } from '../src/app/cli/format.js';
import { familiarName, parseReference, parseTaggedReference, qualifiedName } from '../src/engine/images/reference.js';
import { applyChanges } from '../src/engine/images/config.js';
import { chainIds, sha256 } from '../src/engine/digest.js';
import { isBerthError } from '../src/engine/errors.js';

const spec: CommandSpec = {
  name: 'demo',
  usage: 'demo',
  description: 'demo',
  flags: {
    all: { type: 'bool', short: 'a', description: '' },
    quiet: { type: 'bool', short: 'q', description: '' },
    output: { type: 'string', short: 'o', description: '' },
    change: { type: 'list', short: 'c', description: '' },
  },
};

test('flags parse the way Docker users type them', (t) => {
  t.deepEqual(parseArgs(spec, ['-aq', 'x']).flags.all, true);
  t.deepEqual(parseArgs(spec, ['-aq', 'x']).flags.quiet, true);
  t.is(parseArgs(spec, ['-o', 'f.tar']).flags.output, 'f.tar');
  t.is(parseArgs(spec, ['-of.tar']).flags.output, 'f.tar');
  t.is(parseArgs(spec, ['--output=f.tar']).flags.output, 'f.tar');
  t.deepEqual(parseArgs(spec, ['-c', 'CMD a', '--change', 'ENV b=c']).flags.change, ['CMD a', 'ENV b=c']);
  t.deepEqual(parseArgs(spec, ['x', '--', '-a']).args, ['x', '-a']);
  t.deepEqual(parseArgs({ ...spec, stopAtPositional: true }, ['-a', 'img', '-q']).args, ['img', '-q']);
  // --help among the flags asks for help; after the image it is the command's own (`run img cmd --help`)
  t.true(parseArgs({ ...spec, stopAtPositional: true }, ['-a', '--help']).help);
  const passed = parseArgs({ ...spec, stopAtPositional: true, minArgs: 1 }, ['img', 'cmd', '--help']);
  t.deepEqual([passed.help, passed.args], [undefined, ['img', 'cmd', '--help']]);
});

test('bad flags are usage errors naming the flag', (t) => {
  t.throws(() => parseArgs(spec, ['--nope']), { instanceOf: UsageError, message: 'unknown flag: --nope' });
  t.throws(() => parseArgs(spec, ['-x']), { instanceOf: UsageError, message: "unknown shorthand flag: 'x' in -x" });
  t.throws(() => parseArgs(spec, ['--output']), { instanceOf: UsageError, message: 'flag needs an argument: --output' });
  t.throws(() => parseArgs({ ...spec, minArgs: 1, maxArgs: 1 }, []), { instanceOf: UsageError });
});

test('sizes and durations read as Docker prints them', (t) => {
  t.is(humanSize(0), '0B');
  t.is(humanSize(999), '999B');
  t.is(humanSize(1234), '1.23kB');
  t.is(humanSize(4_260_000), '4.26MB');
  t.is(humanSize(12_800_000), '12.8MB');
  t.is(humanSize(123_456_789), '123MB');
  t.is(humanDuration(500), 'Less than a second');
  t.is(humanDuration(1000), '1 second');
  t.is(humanDuration(45_000), '45 seconds');
  t.is(humanDuration(61_000), 'About a minute');
  t.is(humanDuration(3 * 3600_000), '3 hours');
  t.is(humanDuration(3 * 86400_000), '3 days');
  t.is(humanDuration(20 * 86400_000), '2 weeks');
  t.is(humanDuration(90 * 86400_000), '3 months');
  t.is(humanDuration(800 * 86400_000), '2 years');
  t.is(ellipsis('abcdef', 4), 'abc…');
});

test('tables pad columns by three spaces and never pad the last', (t) => {
  t.is(table(['A', 'BB'], [['xxx', 'y']]), 'A         BB\nxxx       y');
  t.is(table(['CONTAINER ID', 'X'], [['abc', 'y']]), 'CONTAINER ID   X\nabc            y');
});

test('--format templates', (t) => {
  const rows = [{ ID: 'abc', Repository: 'busybox', Tag: 'latest', Labels: { a: 'b' } }];
  t.is(renderFormat('{{.Repository}}:{{.Tag}}', rows), 'busybox:latest');
  t.is(renderFormat('{{json .Labels}}', rows), '{"a":"b"}');
  t.is(renderFormat('table {{.ID}}\\t{{.Tag}}', rows, { ID: 'IMAGE ID' }), 'IMAGE ID   TAG\nabc        latest');
  t.is(renderFormat('json', [{ a: 1 }]), '{"a":1}');
  t.is(renderFormat('{{upper .Tag}}', rows), 'LATEST');
});

test('references normalise as Docker does', (t) => {
  t.is(qualifiedName(parseTaggedReference('busybox')), 'docker.io/library/busybox:latest');
  t.is(qualifiedName(parseTaggedReference('user/app:1.0')), 'docker.io/user/app:1.0');
  t.is(qualifiedName(parseTaggedReference('localhost:5000/app')), 'localhost:5000/app:latest');
  t.is(qualifiedName(parseTaggedReference('127.0.0.1:5000/a/b:c')), '127.0.0.1:5000/a/b:c');
  t.is(familiarName(parseTaggedReference('docker.io/library/busybox')), 'busybox:latest');
  t.is(familiarName(parseTaggedReference('index.docker.io/user/app')), 'user/app:latest');
  const digest = sha256('x');
  t.is(parseReference(`busybox@${digest}`).digest, digest);
  for (const bad of ['Busybox', 'a::b', 'a/', ':tag', 'a@sha256:12', 'a b', '-a', 'a/-b', `a:${'x'.repeat(129)}`]) {
    t.throws(() => parseReference(bad), { message: /^invalid reference format/ }, bad);
  }
  t.throws(() => parseReference('Busybox'), { message: /must be lowercase/ });
});

test('--change instructions build the image config', (t) => {
  const config = applyChanges({}, [
    'CMD ["sh"]',
    'ENTRYPOINT /bin/init',
    'ENV A=1 B="two words"',
    'ENV LEGACY value with spaces',
    'EXPOSE 80 53/udp',
    'VOLUME ["/data"]',
    'WORKDIR /srv',
    'USER 1000:1000',
    'LABEL org.example="x y"',
  ]);
  t.deepEqual(config.Cmd, ['sh']);
  t.deepEqual(config.Entrypoint, ['/bin/sh', '-c', '/bin/init']);
  t.deepEqual(config.Env, ['A=1', 'B=two words', 'LEGACY=value with spaces']);
  t.deepEqual(Object.keys(config.ExposedPorts ?? {}), ['80/tcp', '53/udp']);
  t.deepEqual(config.Volumes, { '/data': {} });
  t.is(config.WorkingDir, '/srv');
  t.is(config.User, '1000:1000');
  t.deepEqual(config.Labels, { 'org.example': 'x y' });
  t.deepEqual(applyChanges({ Env: ['A=1'] }, ['ENV A=2']).Env, ['A=2']);
  const refused = t.throws(() => applyChanges({}, ['RUN rm -rf /']));
  t.true(isBerthError(refused, 'invalid-argument'));
  t.throws(() => applyChanges({}, ['CMD ["unterminated']), { message: /not a valid JSON array/ });
});

test('chain IDs follow the OCI image spec', (t) => {
  const a = sha256('a');
  const b = sha256('b');
  t.deepEqual(chainIds([a, b]), [a, sha256(`${a} ${b}`)]);
});
