// The LED role against a fake /sys/class/leds tree in a temp dir: the mapping of states to
// LEDs, configurable names, blinking through the timer trigger, a missing LED.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { LedClass, LedRole, panel, statusOf, type PanelState } from '../../../src/leds';
import { Logger } from '../../../src/logger';
import type { MembershipView } from '../../../src/nm/types';

const names = { run: 'pairha:green:run', status: 'pairha:green:status', statusError: 'pairha:red:status', mirror: 'pairha:green:mirror', mirrorError: 'pairha:red:mirror' };

function fakeTree(ledNames: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-leds-'));
  for (const n of ledNames) {
    fs.mkdirSync(path.join(root, n));
    fs.writeFileSync(path.join(root, n, 'brightness'), '0\n');
    fs.writeFileSync(path.join(root, n, 'max_brightness'), '255\n');
    fs.writeFileSync(path.join(root, n, 'trigger'), '[none] timer heartbeat default-on\n');
  }
  return root;
}
const read = (root: string, led: string, attr: string) => fs.readFileSync(path.join(root, led, attr), 'utf8').trim();
const quietLog = () => { const lines: string[] = []; return { lines, log: new Logger({ write: (l) => { lines.push(l); } }, 'debug') }; };

t.test('the panel mapping of docs/leds.md', async (t) => {
  t.same(panel({ daemon: true, status: 'normal', mirror: 'green' }), {
    run: { mode: 'on' }, status: { mode: 'on' }, statusError: { mode: 'off' }, mirror: { mode: 'on' }, mirrorError: { mode: 'off' },
  }, 'normal: run, status and mirror steady green');
  t.same(panel({ daemon: true, status: 'warning', mirror: 'recovering' }).status, { mode: 'blink', onMs: 500, offMs: 500 }, 'warning: status blinks');
  t.same(panel({ daemon: true, status: 'warning', mirror: 'recovering' }).mirror, { mode: 'blink', onMs: 500, offMs: 500 }, 'recovering: mirror blinks');
  const err = panel({ daemon: true, status: 'error', mirror: 'red' });
  t.same([err.status, err.statusError, err.mirror, err.mirrorError], [{ mode: 'off' }, { mode: 'on' }, { mode: 'off' }, { mode: 'on' }], 'error and broken mirror: red');
  const stopped = panel({ daemon: false, status: 'normal', mirror: 'none' });
  t.same([stopped.run, stopped.statusError], [{ mode: 'off' }, { mode: 'on' }], 'daemon stopped: run off, status red');
});

t.test('statusOf: normal only with every server Online and every heartbeat up', async (t) => {
  const view = (s2: 'Online' | 'Offline', cell: 'o' | 'x'): MembershipView => ({
    cluster: 'c', local: 'server1', ratio: { value: 1 }, timeoutMs: 90000, suspended: false,
    servers: [{ name: 'server1', index: 0, status: 'Online' }, { name: 'server2', index: 1, status: s2 }],
    heartbeats: [{ name: 'lanhb1', index: 0, type: 'lanhb' }, { name: 'comhb1', index: 1, type: 'comhb' }],
    matrix: [[['o', 'o'], ['o', cell]], [['o', 'o'], ['o', 'o']]],
  });
  t.equal(statusOf(view('Online', 'o')), 'normal');
  t.equal(statusOf(view('Online', 'x')), 'warning', 'a heartbeat down');
  t.equal(statusOf(view('Offline', 'x')), 'warning', 'the other server down');
});

t.test('the role writes brightness and trigger, blinks with the timer trigger, follows state changes', async (t) => {
  const root = fakeTree(Object.values(names));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  let state: PanelState = { daemon: true, status: 'normal', mirror: 'green' };
  const { log } = quietLog();
  const role = new LedRole({ config: { enabled: true, names }, root, log, state: () => state, intervalMs: 3600000 });
  await role.start();
  t.equal(read(root, names.run, 'brightness'), '255', 'run LED at max_brightness');
  t.equal(read(root, names.status, 'trigger'), 'none', 'steady LEDs have no trigger');
  t.equal(read(root, names.statusError, 'brightness'), '0', 'red status off');
  t.equal(read(root, names.mirror, 'brightness'), '255', 'mirror GREEN');

  state = { daemon: true, status: 'warning', mirror: 'red' };
  role.update();
  t.equal(read(root, names.status, 'trigger'), 'timer', 'warning: timer trigger');
  t.equal(read(root, names.status, 'delay_on'), '500');
  t.equal(read(root, names.status, 'delay_off'), '500');
  t.same(new LedClass(root).read(names.status), { mode: 'blink', onMs: 500, offMs: 500 }, 'read back as blinking');
  t.equal(read(root, names.mirrorError, 'brightness'), '255', 'mirror RED');
  t.equal(read(root, names.mirror, 'brightness'), '0', 'mirror green off');

  await role.stop();
  t.equal(read(root, names.run, 'brightness'), '0', 'stop: run LED off');
  t.equal(read(root, names.statusError, 'brightness'), '255', 'stop: red status on');
});

t.test('names come from the configuration; a missing LED warns once and the rest still work', async (t) => {
  const custom = { ...names, run: 'board:blue:power' };
  const root = fakeTree(Object.values(custom).filter((n) => n !== custom.mirrorError));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const { log, lines } = quietLog();
  const role = new LedRole({ config: { enabled: true, names: custom }, root, log, state: () => ({ daemon: true, status: 'normal', mirror: 'green' }), intervalMs: 3600000, refreshMs: 0 });
  await role.start();
  role.update();
  role.update();
  t.equal(read(root, 'board:blue:power', 'brightness'), '255', 'the board\'s own run LED name is used');
  t.equal(lines.filter((l) => l.includes(custom.mirrorError)).length, 1, 'one warning for the missing LED');
  t.match(lines[0], /WARN <pm> LED pairha:red:mirror: no /, 'the warning names the LED and the path');
  await role.stop();
});

t.test('disabled: the role touches nothing', async (t) => {
  const root = fakeTree(Object.values(names));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const role = new LedRole({ config: { enabled: false, names }, root, log: quietLog().log, state: () => ({ daemon: true, status: 'normal', mirror: 'green' }) });
  await role.start();
  await role.stop();
  t.equal(read(root, names.run, 'brightness'), '0');
  t.equal(read(root, names.run, 'trigger'), '[none] timer heartbeat default-on');
});

t.test('a state that cannot be read is skipped, never thrown out of the timer', async (t) => {
  const root = fakeTree(Object.values(names));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  let fail = true;
  const state = (): PanelState => { if (fail) throw new Error('the cluster daemon is not running'); return { daemon: true, status: 'normal', mirror: 'none' }; };
  const role = new LedRole({ config: { enabled: true, names }, root, log: quietLog().log, state, intervalMs: 3600000 });
  await role.start();
  t.doesNotThrow(() => role.update(), 'update survives');
  t.equal(read(root, names.run, 'brightness'), '0', 'nothing shown meanwhile');
  fail = false;
  role.update();
  t.equal(read(root, names.run, 'brightness'), '255', 'shown at the next tick');
  await role.stop();
});
