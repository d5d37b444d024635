// The cluster daemon started again while it starts (the lab campaign's restore ran `clpcl -s`
// while a freshly started runtime was still starting: pm.status said 'stopped'): the second
// start must join the first, not build a second membership and group manager in the same
// process (two bindings of each heartbeat, nm 10, then a double activation).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import { resolvePaths } from '../../../src/constants';
import type { EventArg, EventId } from '../../../src/events/types';
import { ensureKeyPair, issue, readPrivateKey } from '../../../src/host/licence';
import { Logger } from '../../../src/logger';
import { pmOps } from '../../../src/pm/protocol';
import { Runtime } from '../../../src/runtime/runtime';
import { md1Conf } from '../../helpers/mirror';
import { stubPlatform } from '../../helpers/platform';
import { freeTcpPort } from '../../helpers/ports';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-daemon-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const keysDir = path.join(root, 'keys');
const key = readPrivateKey(ensureKeyPair(keysDir).privateFile);
const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);

async function runtime(name: string) {
  const dir = path.join(root, name);
  const [internal, agent, hb] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const text = md1Conf({
    md: false, autoStart: false, ports: { internal, mirror_agent: agent, heartbeat: hb },
    sections: `[timeouts]\nhb_interval = 100\nhb_timeout = 300\n[watchdog]\nenabled = false\n[resource exec1]\ntype = exec\ngroup = failover1\nstart = /bin/true\nstop = /bin/true\n`,
  });
  const config = parseConfig(text, path.join(dir, 'clp.conf'));
  const paths = resolvePaths({ PAIRHA_ROOT: dir, PAIRHA_TRUSTED_KEYS: keysDir, PAIRHA_SERIAL_FILE: path.join(dir, 'serial'), PAIRHA_LISCAL_PROC: path.join(dir, 'liscal') });
  fs.mkdirSync(paths.license, { recursive: true });
  fs.writeFileSync(path.join(paths.license, 'SE30-x.lic'), issue(key, { product: 'SE30', kind: 'product', count: 2 }));
  const got: string[] = [];
  const events = { emit: ({ type, id }: EventId, ...a: EventArg[]) => { got.push(`${type} ${id}${a.length ? ` ${a.join(' ')}` : ''}`); } };
  const rt = new Runtime({ config, local: config.servers[0], key: Buffer.from('k'.repeat(16)), bootId: Buffer.alloc(16), paths, log: new Logger({ write: () => {} }, 'error'), platform: stubPlatform(), events });
  t.teardown(() => rt.shutdown());
  await rt.start(false);
  const status = async () => ((await rt.registry.dispatch({ op: pmOps.status.name, args: {} }, { local: true })).data as { daemon: string }).daemon;
  return { rt, got, status };
}

const count = (got: string[], e: string) => got.filter((x) => x === e).length;

t.test('two starts at once: one daemon, each heartbeat bound once', async (t) => {
  const { rt, got, status } = await runtime('twice');
  const first = rt.startDaemon();
  t.equal(await status(), 'starting', "pm.status says 'starting' while the roles start (not 'stopped')");
  const second = rt.startDaemon();
  const [a, b] = await Promise.all([first, second]);
  t.match(a, { code: 0 });
  t.match(b, { code: 0 }, 'the second start joins the first and reports its outcome');
  t.equal(count(got, 'pm 1'), 1, 'pm 1 (Cluster daemon has started properly) once');
  t.notOk(got.some((e) => e.startsWith('nm 10 ')), `no heartbeat unusable at start (nm 10): ${got.filter((e) => e.startsWith('nm ')).join(', ')}`);
  t.equal(await status(), 'running');
  t.match(await rt.startDaemon(), { code: 0, message: 'the cluster daemon is already running' });
});

t.test('a stop asked while starting is done once started; a start while stopping waits for it', async (t) => {
  const { rt, got, status } = await runtime('stop-during-start');
  const start = rt.startDaemon();
  t.match(await rt.stopDaemon(), { code: 0, message: /stops as soon as its start completes/ });
  t.match(await start, { code: 0, message: /stopped at once/ });
  t.notOk(rt.daemonRunning, 'stopped');
  t.equal(await status(), 'stopped');
  t.match(await rt.startDaemon(), { code: 0 });
  const stop = rt.stopDaemon();
  const again = rt.startDaemon();
  t.match(await stop, { code: 0 });
  t.match(await again, { code: 0 });
  t.ok(rt.daemonRunning, 'running after the stop and the start that waited for it');
  t.equal(count(got, 'pm 1'), 3, 'three complete starts, one at a time');
  t.notOk(got.some((e) => e.startsWith('nm 10 ')), 'no heartbeat bound twice');
});
