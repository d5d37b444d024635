// diskw and raww against real loop devices: a bound one reads, a detached one reads nothing
// (return 16), a missing one does not open (14 / 37), a plain file is no device (raww 12),
// and a probe slower than the monitor's timeout is return 17.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import type { MonitorConfig } from '../../../src/config/types';
import { nullLogger } from '../../../src/logger';
import { diskw } from '../../../src/monitor/diskw';
import { raww } from '../../../src/monitor/raww';
import { MonitorRunner } from '../../../src/monitor/runner';
import { HostPlatform } from '../../../src/platform/host';

const platform = new HostPlatform({ powerRecord: '' });
const deps = { platform, log: nullLogger, pidOf: () => undefined };
const mon = (type: 'diskw' | 'raww', params: Record<string, string>, timeout = 5000): MonitorConfig => ({
  name: `${type}1`, type, interval: 100, timeout, retry: 0, startWait: 0, when: 'always', recoveryAction: 'none',
  restartCount: 0, finalAction: 'none', params,
});

t.test('diskw and raww on loop devices', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (losetup)', () => {}); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-dev-'));
  const img = path.join(dir, 'disk.img');
  fs.writeFileSync(img, Buffer.alloc(1 << 20));
  const attach = async () => {
    const r = await platform.run('losetup', ['-f', '--show', img]);
    if (r.code !== 0) throw new Error(`losetup: ${r.stderr.trim()}`);
    return r.stdout.trim();
  };
  const dev = await attach();
  const gone = await attach();
  await platform.run('losetup', ['-d', gone]); // the node stays, the disk behind it is gone
  t.teardown(async () => { await platform.run('losetup', ['-d', dev]); fs.rmSync(dir, { recursive: true, force: true }); });
  const missing = path.join(dir, 'nosuch');

  t.equal(await diskw(mon('diskw', { device: dev }), deps).run(), undefined, 'diskw reads a bound device');
  t.equal(await diskw(mon('diskw', { device: dev, method: 'dummy' }), deps).run(), undefined, 'diskw dummy opens it');
  t.same(await diskw(mon('diskw', { device: gone }), deps).run(), { code: 16, message: `Read was failed. (err=0 bytes read) Device=${gone}` });
  t.same(await diskw(mon('diskw', { device: missing }), deps).run(), { code: 14, message: `Open was failed. (err=No such file or directory) Device=${missing}` });

  t.equal(await raww(mon('raww', { device: dev }), deps).run(), undefined, 'raww reads a bound device');
  t.same(await raww(mon('raww', { device: gone }), deps).run(), { code: 16, message: `Read was failed. (err=0 bytes read) Device=${gone}` });
  t.same(await raww(mon('raww', { device: missing }), deps).run(), { code: 37, message: `stat wad failed. (err=ENOENT) Device=${missing}` });
  t.same(await raww(mon('raww', { device: img }), deps).run(), { code: 12, message: `Device was invalid. Device=${img}` });

  const seen: string[] = [];
  const slow = mon('raww', { device: dev }, 1); // no dd finishes within 1 ms
  const runner = new MonitorRunner(slow, raww(slow, deps), { emit: ({ type, id }, ...a) => { seen.push(`${type} ${id} ${a.join('|')}`); } }, () => true, async () => {});
  await runner.probe();
  t.same(seen, [`rm 9 raww1|17|Read was failed by timeout. Device=${dev}`]);
});
