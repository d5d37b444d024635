// The runtime drives the front panel: a real Runtime (one server, its peer never answers)
// with [leds] enabled writes a fake /sys/class/leds tree; the mirror LED follows the local
// driver's status file; clpcl -t and the orderly end of the process turn the run LED off.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import { resolvePaths } from '../../../src/constants';
import { licensedEnv } from '../../helpers/licence';
import { EventBus } from '../../../src/events/bus';
import { LedClass, type LedSetting } from '../../../src/leds';
import { Logger } from '../../../src/logger';
import { formatStatusLine, type LiscalStatus } from '../../../src/mirror/liscal-status';
import type { Platform } from '../../../src/platform/types';
import { Runtime } from '../../../src/runtime/runtime';
import { until } from '../../helpers/lab';
import { noNet } from '../../helpers/platform';
import { md1Conf, st } from '../../helpers/mirror';
import { freeTcpPort } from '../../helpers/ports';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-leds-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const messages = path.resolve(__dirname, '..', '..', '..', 'messages');
const names = ['board:run', 'board:st', 'board:st-red', 'board:md', 'board:md-red'];

async function runtime(dir: string, md: boolean) {
  const [internal, agent, hb] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const text = md1Conf({
    ports: { internal, mirror_agent: agent, heartbeat: hb }, autoStart: false, md, mountPoint: `${dir}/mnt`,
    sections: `
[timeouts]
hb_interval = 100
hb_timeout = 300
[watchdog]
enabled = false
[leds]
enabled = true
run = board:run
status = board:st
status_error = board:st-red
mirror = board:md
mirror_error = board:md-red
`,
  });
  const leds = path.join(dir, 'sys-leds');
  for (const n of names) {
    fs.mkdirSync(path.join(leds, n), { recursive: true });
    fs.writeFileSync(path.join(leds, n, 'brightness'), '0\n');
    fs.writeFileSync(path.join(leds, n, 'max_brightness'), '1\n');
    fs.writeFileSync(path.join(leds, n, 'trigger'), '[none] timer\n');
  }
  fs.mkdirSync(path.join(dir, 'liscal'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'liscal', 'ctl'), '');
  const setStatus = (s: LiscalStatus) => fs.writeFileSync(path.join(dir, 'liscalstat'), formatStatusLine(s) + '\n');
  setStatus(st());
  const config = parseConfig(text, path.join(dir, 'clp.conf'));
  const paths = resolvePaths({ PAIRHA_ROOT: dir, PAIRHA_LEDS: leds, PAIRHA_LISCAL_PROC: path.join(dir, 'liscal'), PAIRHA_MESSAGES: messages, ...licensedEnv(dir, config) });
  const log = new Logger({ write: () => {} }, 'error');
  const platform: Platform = { run: async () => ({ code: 0, stdout: '', stderr: '' }), power: async () => {}, daemon: () => 0, signal: () => false, net: noNet };
  const rt = new Runtime({ config, local: config.servers[0], key: Buffer.from('k'.repeat(16)), bootId: Buffer.alloc(16), paths, log, platform, events: new EventBus(messages, 'server1', {}, log) });
  // What the LEDs show, as the fake sysfs holds it: run, status, status red, mirror, mirror red.
  const fake = new LedClass(leds);
  const shown = () => names.map((n) => fake.read(n));
  return { rt, shown, setStatus };
}

const on: LedSetting = { mode: 'on' };
const off: LedSetting = { mode: 'off' };
const blink: LedSetting = { mode: 'blink', onMs: 500, offMs: 500 };
const settled = async (shown: () => LedSetting[], want: LedSetting[], what: string) => {
  await until(async () => JSON.stringify(shown()) === JSON.stringify(want), 5000, what).catch(() => {});
  return shown();
};

t.test('the runtime shows daemon, status and stop on the panel', async (t) => {
  const dir = path.join(root, 'plain');
  const { rt, shown } = await runtime(dir, false);
  await rt.start(false);
  t.same(shown(), [off, off, on, off, off], 'process up, cluster daemon stopped: run off, status red');
  await rt.startDaemon();
  // server2 never answers: once the start-up wait is over it is down, a warning.
  t.same(await settled(shown, [on, blink, off, off, off], 'warning'), [on, blink, off, off, off], 'daemon running, server2 down: run on, status blinking, no mirror');
  await rt.stopDaemon();
  t.same(await settled(shown, [off, off, on, off, off], 'stopped'), [off, off, on, off, off], 'clpcl -t: run off, status red');
  await rt.startDaemon();
  await settled(shown, [on, blink, off, off, off], 'warning again');
  await rt.shutdown();
  t.same(shown(), [off, off, on, off, off], 'orderly end of the process: run off at once');
});

t.test('the mirror LED follows the driver', async (t) => {
  const dir = path.join(root, 'md');
  const { rt, shown, setStatus } = await runtime(dir, true);
  t.teardown(() => rt.shutdown());
  await rt.start(false);
  const mirror = () => shown().slice(3);
  await until(async () => JSON.stringify(mirror()) === JSON.stringify([on, off]), 5000, 'mirror GREEN');
  t.same(mirror(), [on, off], 'GREEN: mirror on');
  setStatus(st({ color: 'YELLOW', state: 'RECOVERING', recovery: 'full-send' }));
  await until(async () => JSON.stringify(mirror()) === JSON.stringify([blink, off]), 5000, 'mirror recovering');
  t.same(mirror(), [blink, off], 'recovering: mirror blinks');
  setStatus(st({ color: 'RED', state: 'BREAK' }));
  await until(async () => JSON.stringify(mirror()) === JSON.stringify([off, on]), 5000, 'mirror RED');
  t.same(mirror(), [off, on], 'RED: mirror error on');
});
