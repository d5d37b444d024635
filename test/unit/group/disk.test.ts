// The disk resource and clproset on a real loop device with ext4: fsck, mount, umount,
// read-only while inactive.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { cli } from '../../../src/cli/pairha';
import { defaultContext } from '../../../src/cli/context';
import { HostPlatform } from '../../../src/platform/host';
import { isReadOnly } from '../../../src/resource/blockdev';
import { DiskResource } from '../../../src/resource/disk';
import { resourceDeps, testResource } from '../../helpers/config';

const platform = new HostPlatform({ powerRecord: '' });

t.test('disk resource on a loop device', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (losetup, mount)', () => {}); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-disk-'));
  const img = path.join(dir, 'disk.img');
  fs.writeFileSync(img, Buffer.alloc(16 << 20));
  const lo = await platform.run('losetup', ['-f', '--show', img]);
  if (lo.code !== 0) { t.skip(`losetup does not work here: ${lo.stderr.trim()}`, () => {}); return; }
  const dev = lo.stdout.trim();
  // The read-only flag of a loop device outlives its detach: start and end writable.
  await platform.run('blockdev', ['--setrw', dev]);
  t.teardown(async () => { await platform.run('umount', [path.join(dir, 'mnt')]); await platform.run('blockdev', ['--setrw', dev]); await platform.run('losetup', ['-d', dev]); fs.rmSync(dir, { recursive: true, force: true }); });
  t.equal((await platform.run('mkfs.ext4', ['-q', '-F', dev])).code, 0, 'mkfs');
  const cfg = testResource('disk', 'disk1', { device: dev, mount_point: path.join(dir, 'mnt'), umount_retry: 2, kill_users: true, deactive_final_action: 'none' });
  const r = new DiskResource(cfg, resourceDeps({ root: dir, platform }));
  await r.protect();
  t.ok(await isReadOnly(platform, dev), 'read-only while inactive');
  await r.activate('start');
  t.notOk(await isReadOnly(platform, dev), 'writable while active');
  fs.writeFileSync(path.join(cfg.mountPoint, 'data'), 'kept');
  t.match(fs.readFileSync('/proc/mounts', 'utf8'), `${dev} ${cfg.mountPoint} ext4`, 'mounted');
  await r.activate('start');
  t.pass('activating again is harmless');
  await r.deactivate('stop');
  t.notMatch(fs.readFileSync('/proc/mounts', 'utf8'), cfg.mountPoint, 'unmounted');
  t.ok(await isReadOnly(platform, dev), 'read-only again');
  await r.activate('failover');
  t.equal(fs.readFileSync(path.join(cfg.mountPoint, 'data'), 'utf8'), 'kept', 'the data survived fsck and remount');
  await r.deactivate('stop');

  // clproset by hand.
  let out = '';
  const ctx = { ...defaultContext(), out: (s: string) => { out += s; }, err: (s: string) => { out += s; } };
  t.equal(await cli(['clproset', '-w', '-d', dev], ctx), 0);
  t.notOk(await isReadOnly(platform, dev), 'clproset -w');
  t.equal(await cli(['clproset', '-o', '-d', dev], ctx), 0);
  t.ok(await isReadOnly(platform, dev), 'clproset -o');
  t.match(out, `${dev} : read only\nsuccess.(code:0)`);
  t.equal(await cli(['clproset', '-o', '-w', '-d', dev], ctx), 2, 'both options: usage error');
  t.equal(await cli(['clproset', '-o', '-d', path.join(dir, 'nosuch')], ctx), 1, 'missing device: error, no crash');

  // A mount point taken by something else is refused with the seed's text.
  await platform.run('mount', ['-t', 'tmpfs', 'tmpfs', cfg.mountPoint]);
  await t.rejects(r.activate('start'), { message: `Mount point was already mounted. (${cfg.mountPoint})` });
});
