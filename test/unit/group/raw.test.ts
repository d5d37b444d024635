// The raw resource on a real loop device: read-only while inactive, writable while active;
// a plain file or a missing path is refused with the seed's text; a server's own device name
// (per-server key) is used where the configuration gives one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../../src/platform/host';
import { isReadOnly } from '../../../src/resource/blockdev';
import { RawResource } from '../../../src/resource/raw';
import { resourceDeps, testResource } from '../../helpers/config';

const platform = new HostPlatform({ powerRecord: '' });

t.test('raw resource on a loop device', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (losetup, blockdev)', () => {}); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-raw-'));
  const img = path.join(dir, 'raw.img');
  fs.writeFileSync(img, Buffer.alloc(1 << 20));
  const lo = await platform.run('losetup', ['-f', '--show', img]);
  if (lo.code !== 0) { t.skip(`losetup does not work here: ${lo.stderr.trim()}`, () => {}); return; }
  const dev = lo.stdout.trim();
  t.teardown(async () => { await platform.run('blockdev', ['--setrw', dev]); await platform.run('losetup', ['-d', dev]); fs.rmSync(dir, { recursive: true, force: true }); });
  const cfg = (device: string, devices: Record<string, string> = {}) => testResource('raw', 'raw1', { device, deactive_final_action: 'none', ...devices });
  const deps = resourceDeps({ root: dir, platform });

  const r = new RawResource(cfg(dev), deps);
  await r.protect();
  t.ok(await isReadOnly(platform, dev), 'read-only while inactive');
  await r.activate('start');
  t.notOk(await isReadOnly(platform, dev), 'writable while active');
  const fd = fs.openSync(dev, 'r+');
  t.equal(fs.writeSync(fd, Buffer.from('data')), 4, 'a write goes through');
  fs.closeSync(fd);
  await r.deactivate('stop');
  t.ok(await isReadOnly(platform, dev), 'read-only again');
  const ro = fs.openSync(dev, 'r+');
  t.throws(() => { fs.writeSync(ro, Buffer.from('data')); fs.fsyncSync(ro); }, { code: 'EPERM' }, 'a write is refused now');
  fs.closeSync(ro);

  const own = new RawResource(cfg('/dev/nosuch-raw', { server1: dev }), deps);
  await own.activate('failover');
  t.notOk(await isReadOnly(platform, dev), "the server's own name for the device is used");
  await own.deactivate('stop');

  await t.rejects(new RawResource(cfg(img), deps).activate('start'), { code: 1, message: `Device was invalid. (${img})` });
  const missing = path.join(dir, 'nosuch');
  await t.rejects(new RawResource(cfg(missing), deps).activate('start'), { code: 1, message: `Command failed. (stat(${missing}), errno=ENOENT)` });
});
