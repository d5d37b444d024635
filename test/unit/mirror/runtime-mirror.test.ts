// The whole command path in one process: two runtimes (server1 on 127.0.0.1, server2 on
// 127.0.0.2, free ports), the clpmd* commands through each one's real control socket, the
// agents talking over the authenticated agent channel. /proc is a directory per server
// standing in for the driver; the real liscal is exercised by the qemu tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { cli } from '../../../src/cli/pairha';
import { request } from '../../../src/control/local';
import { parseConfig } from '../../../src/config/load';
import { resolvePaths } from '../../../src/constants';
import { noPrompt } from '../../helpers/cli';
import { licensedEnv } from '../../helpers/licence';
import { EventBus } from '../../../src/events/bus';
import { Logger } from '../../../src/logger';
import { formatStatusLine, type LiscalStatus } from '../../../src/mirror/liscal-status';
import { onDisk } from '../../../src/mirror/ops';
import { Runtime } from '../../../src/runtime/runtime';
import { md1Conf, st } from '../../helpers/mirror';
import { freeTcpPort } from '../../helpers/ports';
import { stubPlatform } from '../../helpers/platform';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-mirror-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const messages = path.resolve(__dirname, '..', '..', '..', 'messages');

async function pair(t: { teardown(f: () => unknown): void }) {
  const [internal, agent, hb] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const text = md1Conf({ ports: { internal, mirror_agent: agent, heartbeat: hb }, autoStart: false, mountPoint: `${root}/mnt` });
  const boxes = [];
  for (const name of ['server1', 'server2']) {
    const dir = path.join(root, `${name}-${agent}`);
    fs.mkdirSync(path.join(dir, 'liscal'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'liscal', 'ctl'), '');
    const config = parseConfig(text, path.join(dir, 'clp.conf'));
    const paths = resolvePaths({ PAIRHA_ROOT: dir, PAIRHA_LISCAL_PROC: path.join(dir, 'liscal'), PAIRHA_MESSAGES: messages, ...licensedEnv(dir, config) });
    const logged: string[] = [];
    const log = new Logger({ write: (l) => { logged.push(l); } }, 'info');
    const runs: string[] = [];
    const powered: string[] = [];
    const platform = stubPlatform({ run: async (f, a) => { runs.push([f, ...a].join(' ')); return { code: 0, stdout: '', stderr: '' }; }, power: async (action, why) => { powered.push(`${action}: ${why}`); } });
    const rt = new Runtime({ config, local: config.servers.find((s) => s.name === name)!, key: Buffer.from('k'.repeat(16)), bootId: Buffer.alloc(16), paths, log, platform, events: new EventBus(messages, name, {}, log) });
    const setStatus = (s: LiscalStatus) => fs.writeFileSync(path.join(dir, 'liscalstat'), formatStatusLine(s) + '\n');
    setStatus(st());
    await rt.start(false);
    t.teardown(() => rt.shutdown());
    const clp = async (...argv: string[]) => {
      let out = '', err = '';
      const code = await cli(argv, { paths, out: (s) => { out += s; }, err: (s) => { err += s; }, call: (req, ms) => request(paths.controlSocket, req, ms), platform: stubPlatform(), ask: noPrompt });
      return { code, out, err };
    };
    const ctl = () => fs.readFileSync(path.join(dir, 'liscal', 'ctl'), 'utf8').split('\n').filter(Boolean);
    const events = () => logged.filter((l) => /<type: (md|monp)/.test(l)).map((l) => l.trim());
    boxes.push({ rt, clp, setStatus, ctl, runs, events, powered });
  }
  return boxes;
}

t.test('clpmdstat on both servers; clpmdctrl and clpmdinit through the sockets', async (t) => {
  const [a, b] = await pair(t);
  t.ok(a.events().some((l) => l.endsWith('<type: mdagent><event: 1> Agent has started successfully.')), 'mdagent 1');
  let r = await a.clp('clpmdstat', '--mirror', 'md1');
  t.equal(r.code, 0, r.err);
  t.equal(r.out, 'Mirror Status: Normal\n\nmd1\tserver1\tserver2\nMirror Color\tGREEN\tGREEN\n');
  t.equal((await b.clp('clpmdstat', '--mirror', 'md1')).out, r.out, 'the same on server2 (server1 first)');

  // server2 is behind: server1 is the only place md1 may be activated.
  a.setStatus(st({ state: 'BREAK', gen: 6, peerGen: 5, dirty: 200, conn: 'disconnected' }));
  b.setStatus(st({ state: 'SYNC', gen: 5, peerGen: 5, dirty: 0, conn: 'disconnected' }));
  r = await b.clp('clpmdctrl', '--active', '-nomount', 'md1');
  t.equal(r.code, 81);
  t.equal(r.err, 'The local server has not the latest data.(md1)\n');
  r = await a.clp('clpmdctrl', '--active', '-nomount', 'md1');
  t.equal(r.code, 0, r.err);
  t.equal(a.ctl().at(-1), 'open 1');
  r = await b.clp('clpmdstat', '--mirror', 'md1');
  t.match(r.out, /^Mirror Status: Abnormal {2}\nTotal Difference: 2%\n\nmd1\tserver1\tserver2\nMirror Color\tGREEN\tRED\n/);

  r = await a.clp('clpmdctrl', '--force', 'server3', 'md1');
  t.equal(r.code, 2);
  t.match(r.err, /unknown server 'server3'/);
  r = await a.clp('clpmdstat', '--mirror', 'md9');
  t.equal(r.code, 77);
  t.equal(r.err, 'clpmdstat: Mirror disk was not in config.(md9)\n');

  // clpmdinit on server2: unbind, zero the metadata block, bind again.
  b.setStatus(st({ state: 'BREAK', gen: 6, peerGen: 5 }));
  const before = b.ctl().length;
  r = await b.clp('clpmdinit', '--create', 'force', 'md1');
  t.equal(r.code, 0, r.err);
  t.same(b.runs, ['dd if=/dev/zero of=/dev/vdb1 bs=4096 count=1 conv=fsync']);
  t.same(b.ctl().slice(before), ['unbind 1', `key ${Buffer.from('k'.repeat(16)).toString('hex')}`, 'bind 1 data=/dev/vdb2 cp=/dev/vdb1 peer=127.0.0.1 local=127.0.0.2 drvport=29005 dataport=29051']);
  // While active here, refused.
  a.setStatus(st({ state: 'BREAK', gen: 6, peerGen: 5, dirty: 200, port: 'open' }));
  r = await a.clp('clpmdinit', '--create', 'force', 'md1');
  t.equal(r.code, 1);
  t.match(r.err, /md1 is active on this server: deactivate it first/);
  r = await a.clp('clpmdchng', '--execute', '/dev/sdq');
  t.equal(r.code, 2);
  t.match(r.err, /no mirror disk resource has its partitions on \/dev\/sdq/);
});

t.test('§10.9: the mirror agent dying stops the daemon and reboots', async (t) => {
  const [a] = await pair(t);
  await a.rt.startDaemon();
  t.equal(a.rt.daemonRunning, true);
  a.rt.mirror!.tick = async () => { throw new Error('invariant broken'); };
  const end = Date.now() + 6000;
  while (!a.powered.length && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  t.same(a.powered, ['reboot: mdagent exited abnormally: invariant broken']);
  t.equal(a.rt.daemonRunning, false, 'groups stopped first (the cluster daemon)');
  t.equal(a.rt.mirror!.running, false);
  const ev = a.events();
  t.ok(ev.some((l) => l.endsWith('<type: monp><event: 2> mdagent process exit abnormally. (status=invariant broken)')), 'monp 2');
  t.ok(ev.some((l) => l.endsWith('<type: monp><event: 8> System will be rebooted for mdagent process exit abnormally.')), 'monp 8');
  const r = await a.clp('clpmdstat', '--mirror', 'md1');
  t.equal(r.code, 1);
  t.equal(r.err, 'clpmdstat: Need to start mirror agent at first.\n');
});

t.test('clpmdchng: which partitions are on a disk', async (t) => {
  t.ok(onDisk('/dev/sdb1', '/dev/sdb'));
  t.ok(onDisk('/dev/nvme0n1p2', '/dev/nvme0n1'));
  t.ok(onDisk('/dev/vdb', '/dev/vdb'));
  t.notOk(onDisk('/dev/sdba1', '/dev/sdb'));
  t.notOk(onDisk('/dev/sdb1', '/dev/sdc'));
});
