// The md resource's activation and deactivation (seed §12.4.4, mdadm events 1-4) against a
// stand-in /proc directory and a recording platform: which commands run, in which order,
// which return code and event each failure gives. mount/fsck themselves run in the qemu tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import type { MdResourceConfig } from '../../../src/config/types';
import { catalogKey, formatMessage, loadCatalog } from '../../../src/events/catalog';
import type { RunResult } from '../../../src/platform/types';
import { Liscal } from '../../../src/mirror/liscal';
import { formatStatusLine, type LiscalStatus } from '../../../src/mirror/liscal-status';
import { activateMd, deactivateMd, type MdDeps } from '../../../src/mirror/md-resource';
import { md1Conf, st } from '../../helpers/mirror';
import { stubPlatform } from '../../helpers/platform';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mdres-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const catalog = loadCatalog(path.resolve(__dirname, '..', '..', '..', 'messages'));
const mp = path.join(root, 'mnt', 'md1');
const cfg = parseConfig(md1Conf({
  cluster: 'c', group: 'g', mountPoint: mp,
  mdKeys: { fs_type: 'ext4', fsck_options: '-y -f', fsck_timeout: 1000 },
}), path.join(root, 'clp.conf')).resources[0] as MdResourceConfig;

function setup(local: Partial<LiscalStatus>, peer: Partial<LiscalStatus> | undefined, results: Record<string, Partial<RunResult>> = {}) {
  fs.rmSync(path.join(root, 'proc'), { recursive: true, force: true });
  fs.mkdirSync(path.join(root, 'proc', 'liscal'), { recursive: true });
  fs.writeFileSync(path.join(root, 'proc', 'liscal', 'ctl'), '');
  fs.writeFileSync(path.join(root, 'proc', 'liscalstat'), formatStatusLine(st(local)) + '\n');
  fs.writeFileSync(path.join(root, 'mounts'), 'proc /proc proc rw 0 0\n');
  const runs: string[] = [];
  const events: string[] = [];
  const d: MdDeps = {
    liscal: new Liscal(path.join(root, 'proc', 'liscal')),
    platform: stubPlatform({ run: async (file, args) => { runs.push([file, ...args].join(' ')); return { code: 0, stdout: '', stderr: '', ...results[file] }; } }),
    events: { emit: ({ type, id }, ...args) => { events.push(`${type} ${id} ${formatMessage(catalog.get(catalogKey(type, id))!.msg, args)}`); } },
    local: 'server1', peer: 'server2', localFirst: true,
    peerStatus: async () => (peer ? st(peer) : undefined),
    mountsFile: path.join(root, 'mounts'),
    peerWaitMs: 0,
  };
  const ctl = () => fs.readFileSync(path.join(root, 'proc', 'liscal', 'ctl'), 'utf8').split('\n').filter(Boolean);
  return { d, runs, events, ctl };
}

const latest = { state: 'BREAK' as const, gen: 6, peerGen: 5, dirty: 10 };

t.test('activation: latest data here -> open port, fsck, mount', async (t) => {
  const { d, runs, events, ctl } = setup(latest, { state: 'SYNC', gen: 5, peerGen: 5, conn: 'disconnected' });
  await activateMd(d, cfg, { mount: true });
  t.same(ctl(), ['open 1']);
  t.same(runs, [`fsck -t ext4 -y -f /dev/NMP1`, `mount -t ext4 -o rw /dev/NMP1 ${mp}`]);
  t.same(events, ['mdadm 2 Fsck has been started.(Device: /dev/NMP1)', 'mdadm 3 Disk has cleaned by fsck.(Device: /dev/NMP1)']);
  t.ok(fs.statSync(mp).isDirectory(), 'mount point created');
});

t.test('fresh disks on both (first start): only the server listed first may activate', async (t) => {
  const fresh = { state: 'STALE' as const, gen: 1, peerGen: 0, conn: 'disconnected' as const };
  let s = setup(fresh, fresh);
  await activateMd(s.d, cfg, { mount: false });
  t.same(s.ctl(), ['open 1'], 'server1 (first) opens the port: it is the source of the initial construction');
  s = setup(fresh, fresh);
  s.d.local = 'server2'; s.d.peer = 'server1'; s.d.localFirst = false;
  await t.rejects(activateMd(s.d, cfg, { mount: false }), { code: 81 }, 'server2 (second) has not the latest data');
  t.same(s.ctl(), [], 'server2 leaves its port closed');
});

t.test('activation with -nomount opens the port only', async (t) => {
  const { d, runs, ctl } = setup(latest, undefined);
  await activateMd(d, cfg, { mount: false });
  t.same(ctl(), ['open 1']);
  t.same(runs, []);
});

const failures: Array<[string, Partial<LiscalStatus>, Partial<LiscalStatus> | undefined, Record<string, Partial<RunResult>>, number, string, string | undefined, string[]]> = [
  ['the peer holds the latest data', { state: 'SYNC', gen: 5, peerGen: 5, conn: 'disconnected' }, latest, {}, 81, 'The local server has not the latest data.(md1)',
    "mdadm 1 Failed to activate mirror disk. The local server hasn't the latest data.(Device:/dev/NMP1)", []],
  ['outdated here, peer down', { state: 'STALE' }, undefined, {}, 81, 'The local server has not the latest data.(md1)',
    "mdadm 1 Failed to activate mirror disk. The local server hasn't the latest data.(Device:/dev/NMP1)", []],
  ['the peer is active', { state: 'SYNC' }, { port: 'open' }, {}, 30, 'Internal error[status=the mirror disk is active on server2]',
    'mdadm 1 Failed to activate mirror disk. The remote server is active.(Device:/dev/NMP1)', []],
  ['not bound', { bound: false, state: 'NONE' }, undefined, {}, 79, 'Failed to get cluster partition information.', undefined, []],
  ['mount fails: port closed again', latest, undefined, { mount: { code: 32, stderr: 'mount: wrong fs type\n' } }, 89, 'Command failed. (mount, ret=32: mount: wrong fs type)',
    'mdadm 1 Failed to activate mirror disk. Mount operation failed.(Device:/dev/NMP1)', ['open 1', 'close 1']],
  ['fsck times out', latest, undefined, { fsck: { code: 137, signal: 'SIGKILL' } }, 83, 'Command timeout(fsck, timeout=1)',
    'mdadm 1 Failed to activate mirror disk. Mount operation failed.(Device:/dev/NMP1)', ['open 1', 'close 1']],
];

t.test('activation failures: §12.4.4 codes and mdadm event 1 reasons', async (t) => {
  for (const [name, local, peer, results, code, msg, event, ctlWant] of failures) {
    const { d, events, ctl } = setup(local, peer, results);
    await t.rejects(activateMd(d, cfg, { mount: true }), { code, message: msg }, name);
    t.equal(events.at(-1), event, `${name}: event`);
    t.same(ctl(), ctlWant, `${name}: driver commands`);
  }
});

t.test('mount point already mounted by something else: 80', async (t) => {
  const { d, ctl } = setup(latest, undefined);
  fs.writeFileSync(d.mountsFile, `/dev/sdz1 ${mp} ext4 rw 0 0\n`);
  await t.rejects(activateMd(d, cfg, { mount: true }), { code: 80, message: `Mount point was already mounted.(${mp})` });
  t.same(ctl(), [], 'port not opened');
});

t.test('deactivation: umount then close; strict refusal when already closed', async (t) => {
  let s = setup({ ...latest, port: 'open' }, undefined);
  fs.writeFileSync(s.d.mountsFile, `/dev/NMP1 ${mp} ext4 rw 0 0\n`);
  await deactivateMd(s.d, cfg);
  t.same(s.runs, [`umount ${mp}`]);
  t.same(s.ctl(), ['close 1']);

  s = setup({ ...latest, port: 'open' }, undefined, { umount: { code: 32, stderr: 'target is busy' } });
  fs.writeFileSync(s.d.mountsFile, `/dev/NMP1 ${mp} ext4 rw 0 0\n`);
  await t.rejects(deactivateMd(s.d, cfg), { code: 89 });
  t.same(s.events, ['mdadm 4 Failed to deactivate mirror disk. Umount operation failed.(Device:/dev/NMP1)']);
  t.same(s.ctl(), [], 'port stays open while mounted');

  s = setup(latest, undefined);
  await deactivateMd(s.d, cfg);
  t.same(s.events, [], 'already inactive: nothing to do for the group framework');
  await t.rejects(deactivateMd(s.d, cfg, { strict: true }), { code: 84 });
  t.same(s.events, ['mdadm 4 Failed to deactivate mirror disk. The mirror disk was already deactivated.(Device:/dev/NMP1)']);
});
