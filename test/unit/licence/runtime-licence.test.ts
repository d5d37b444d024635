// The cluster daemon's licence check in a real Runtime (one server, its peer never answers):
// a trial starts it (rm 51), the day after its end the daily check stops it (rm 54, rm 57),
// a group that cannot be stopped makes that stop incomplete (rm 58), and without a licence
// the daemon does not start (rm 53, rm 57) while the process stays for clplcncs and clpcl.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import { resolvePaths } from '../../../src/constants';
import type { EventArg, EventId } from '../../../src/events/types';
import { ensureKeyPair, issue, readPrivateKey } from '../../../src/host/licence';
import { Logger } from '../../../src/logger';
import { Runtime } from '../../../src/runtime/runtime';
import { md1Conf } from '../../helpers/mirror';
import { stubPlatform } from '../../helpers/platform';
import { freeTcpPort } from '../../helpers/ports';
import { until } from '../../helpers/lab';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-licence-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const keysDir = path.join(root, 'keys');
const key = readPrivateKey(ensureKeyPair(keysDir).privateFile);
const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
const slash = (d: string) => d.replaceAll('-', '/');

async function runtime(name: string, stopScript = '/bin/true') {
  const dir = path.join(root, name);
  const [internal, agent, hb] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const text = md1Conf({
    md: false, autoStart: false, ports: { internal, mirror_agent: agent, heartbeat: hb },
    sections: `[timeouts]\nhb_interval = 100\nhb_timeout = 300\n[watchdog]\nenabled = false\n[resource exec1]\ntype = exec\ngroup = failover1\nstart = /bin/true\nstop = ${stopScript}\n`,
  });
  const config = parseConfig(text, path.join(dir, 'clp.conf'));
  const paths = resolvePaths({ PAIRHA_ROOT: dir, PAIRHA_TRUSTED_KEYS: keysDir, PAIRHA_SERIAL_FILE: path.join(dir, 'serial'), PAIRHA_LISCAL_PROC: path.join(dir, 'liscal') });
  const got: string[] = [];
  const events = { emit: ({ type, id }: EventId, ...a: EventArg[]) => { got.push(`${type} ${id}${a.length ? ` ${a.join(' ')}` : ''}`); } };
  const log = new Logger({ write: () => {} }, 'error');
  // The exec resource runs its scripts for real: a failing stop script is a failing deactivation.
  const platform = stubPlatform({ run: async (f) => ({ code: f === '/bin/false' ? 1 : 0, stdout: '', stderr: '' }) });
  const rt = new Runtime({ config, local: config.servers[0], key: Buffer.from('k'.repeat(16)), bootId: Buffer.alloc(16), paths, log, platform, events });
  t.teardown(() => rt.shutdown());
  const licence = (text: string) => { fs.mkdirSync(paths.license, { recursive: true }); fs.writeFileSync(path.join(paths.license, 'SE30-x.lic'), text); };
  return { rt, got, licence };
}

t.test('a trial runs the cluster; the day after it ends the daily check stops it', async (t) => {
  const { rt, got, licence } = await runtime('trial');
  licence(issue(key, { product: 'SE30', kind: 'trial', count: 2, validFrom: day(-5), validUntil: day(0) }));
  await rt.start(false);
  t.match(await rt.startDaemon(), { code: 0 });
  t.ok(got.includes(`rm 51 ${slash(day(0))} SE30`), 'rm 51: Period of trial is till <date>. (SE30)');
  t.ok(got.indexOf(`rm 51 ${slash(day(0))} SE30`) < got.indexOf('pm 1'), 'checked before the daemon reports its start');
  await rt.recheckLicence(new Date(Date.now() + 86400_000));
  t.notOk(rt.daemonRunning, 'the cluster daemon stopped');
  t.same(got.filter((e) => e.startsWith('rm 5')).slice(1), [`rm 54 ${slash(day(0))} SE30`, 'rm 57 SE30'], 'rm 54 then rm 57');
  t.notOk(got.includes('rm 58 SE30'), 'the stop completed');
});

t.test('no licence: the daemon does not start, the process stays', async (t) => {
  const { rt, got } = await runtime('none');
  await rt.start(false);
  const r = await rt.startDaemon();
  t.same(r, { code: 1, message: 'the cluster daemon did not start: the licence of SE30 is not registered (clplcncs -l -p SE30)' });
  t.same(got, ['rm 53 SE30', 'rm 57 SE30']);
  t.notOk(rt.daemonRunning);
});

t.test('a group that cannot be stopped: the licence stop is incomplete (rm 58)', async (t) => {
  const { rt, got, licence } = await runtime('stuck', '/bin/false');
  licence(issue(key, { product: 'SE30', kind: 'trial', count: 2, validFrom: day(-5), validUntil: day(0) }));
  await rt.start(false);
  t.match(await rt.startDaemon(), { code: 0 });
  await until(async () => (await rt.rc!.startGroup('failover1', 'start')).code === 0 && rt.rc!.isActive('failover1'), 10000, 'failover1 active');
  await rt.recheckLicence(new Date(Date.now() + 86400_000));
  t.ok(got.includes('rm 57 SE30') && got.indexOf('rm 58 SE30') > got.indexOf('rm 57 SE30'), 'rm 57, then rm 58');
  t.notOk(rt.daemonRunning, 'the daemon is stopped all the same');
});
