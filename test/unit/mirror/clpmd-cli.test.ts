// The clpmd* commands: argument checking, exit codes, and the request each sends to the
// local control socket (a recording stand-in here; the lab and qemu tests use the runtime).
import t from 'tap';
import { cli } from '../../../src/cli/pairha';
import type { CliContext } from '../../../src/cli/context';
import type { ControlReply, ControlRequest } from '../../../src/control/types';
import { resolvePaths } from '../../../src/constants';
import { HostPlatform } from '../../../src/platform/host';
import { st } from '../../helpers/mirror';
import { noPrompt } from '../../helpers/cli';
import { mdOps } from '../../../src/mirror/protocol';

function ctx(reply: ControlReply = { code: 0 }) {
  const sent: ControlRequest[] = [];
  let out = '', err = '';
  const c: CliContext = { paths: resolvePaths({}), out: (s) => { out += s; }, err: (s) => { err += s; }, call: async (req) => { sent.push(req); return reply; }, platform: new HostPlatform({ powerRecord: '' }), ask: noPrompt };
  return { c, sent, get out() { return out; }, get err() { return err; } };
}

const good: Array<[string[], ControlRequest]> = [
  [['clpmdctrl', '--active', 'md1'], { op: mdOps.active.name, args: { resource: 'md1', mount: true } }],
  [['clpmdctrl', '--active', '-nomount', 'md1'], { op: mdOps.active.name, args: { resource: 'md1', mount: false } }],
  [['clpmdctrl', '--deactive', 'md1'], { op: mdOps.deactive.name, args: { resource: 'md1' } }],
  [['clpmdctrl', '--recovery', 'md1'], { op: mdOps.recovery.name, args: { resource: 'md1' } }],
  [['clpmdctrl', '--force', 'server2', 'md1'], { op: mdOps.force.name, args: { server: 'server2', resource: 'md1' } }],
  [['clpmdinit', '--create', 'force', 'md1'], { op: mdOps.init.name, args: { resource: 'md1' } }],
  [['clpmdchng', '--execute', '/dev/sdb'], { op: mdOps.chng.name, args: { device: '/dev/sdb' } }],
  [['clpmdstat', '--mirror', 'md1'], { op: mdOps.stat.name, args: { resource: 'md1' } }],
];

t.test('each command sends its operation', async (t) => {
  for (const [argv, req] of good) {
    const x = ctx(argv[0] === 'clpmdstat' ? { code: 0, data: { resource: 'md1', sides: [{ server: 'server1', status: st() }, { server: 'server2', status: st() }], decision: { case: 'normal', colors: ['GREEN', 'GREEN'], latest: [], initial: false, difference: 0 } } } : { code: 0 });
    t.equal(await cli(argv, x.c), 0, argv.join(' '));
    t.same(x.sent, [req], `${argv.join(' ')}: request`);
    if (argv[0] === 'clpmdstat') t.equal(x.out, 'Mirror Status: Normal\n\nmd1\tserver1\tserver2\nMirror Color\tGREEN\tGREEN\n');
    else t.equal(x.out, 'Command succeeded.\n');
  }
});

const bad: Array<[string[], string]> = [
  [['clpmdctrl'], 'give exactly one of --active, --deactive, --recovery, --force'],
  [['clpmdctrl', '--active', '--deactive', 'md1'], 'give exactly one of'],
  [['clpmdctrl', '--active'], '--active takes RESOURCE'],
  [['clpmdctrl', '--deactive', '-nomount', 'md1'], "unknown option '-nomount' for --deactive"],
  [['clpmdctrl', '--force', 'md1'], '--force takes SERVER RESOURCE'],
  [['clpmdctrl', '--recovery', 'md1', 'md2'], '--recovery takes RESOURCE'],
  [['clpmdinit', 'md1'], '--create is required'],
  [['clpmdinit', '--create', 'md1'], "expected 'force' after --create, found 'md1'"],
  [['clpmdinit', '--create', 'force'], 'name the mirror disk resource'],
  [['clpmdchng', '--execute'], 'name the replaced disk'],
  [['clpmdstat', 'md1'], '--mirror is required'],
  [['clpmdstat', '--mirror'], 'name the mirror disk resource'],
  [['clpmdstat', '--mirror', 'md1', 'md2'], "unexpected argument 'md2'"],
];

t.test('usage errors exit 2, name the problem, send nothing', async (t) => {
  for (const [argv, why] of bad) {
    const x = ctx();
    t.equal(await cli(argv, x.c), 2, argv.join(' '));
    t.match(x.err, `${argv[0]}: ${why}`, `${argv.join(' ')}: message`);
    t.match(x.err, `usage: ${argv[0]} `, `${argv.join(' ')}: usage shown`);
    t.same(x.sent, []);
  }
});

t.test('a refusal from the runtime keeps its code and text', async (t) => {
  const x = ctx({ code: 81, message: 'The local server has not the latest data.(md1)' });
  t.equal(await cli(['clpmdctrl', '--active', 'md1'], x.c), 81);
  t.equal(x.err, 'The local server has not the latest data.(md1)\n');
});
