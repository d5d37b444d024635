// The direct-I/O addon and the disk heartbeat's page-cache bypass. The bypass proof models
// two boxes on one shared disk with a loop device: the "other box" writes into the backing
// file, behind the loop device's page cache, which this test keeps populated by holding the
// device open. A buffered reader then sees stale data; the disk heartbeat must not.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import type { DiskHeartbeatConfig } from '../../../src/config/types';
import type { EventArg, EventId } from '../../../src/events/types';
import { DiskTransport } from '../../../src/heartbeat/disk';
import { loadDirectIO, type DirectIO } from '../../../src/heartbeat/directio';
import { nullLogger } from '../../../src/logger';

const loaded = loadDirectIO();
if (loaded instanceof Error) throw new Error(`directio addon not built (npm run build): ${loaded.message}`);
const dio: DirectIO = loaded;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'directio-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('read and write round trip; precise errors; bad arguments throw, never crash', async (t) => {
  const f = path.join(tmp, 'area');
  fs.writeFileSync(f, Buffer.alloc(16384, 0x11));
  await dio.write(f, 4096, Buffer.alloc(4096, 0x22));
  const b = await dio.read(f, 0, 8192);
  t.equal(b.length, 8192);
  t.equal(b[0], 0x11); t.equal(b[4096], 0x22); t.equal(b[8191], 0x22);
  t.equal((await dio.read(f, 12288, 8192)).length, 4096, 'a read past the end is short');
  t.equal(dio.blockSize(f), 512);
  await t.rejects(dio.write(f, 100, Buffer.alloc(512)), { code: 'EINVAL', message: `${f}: O_DIRECT write of 512 bytes at 100: not a multiple of the device's logical block size` });
  await t.rejects(dio.read(f, 0, 100), { code: 'EINVAL', message: /O_DIRECT read of 100 bytes at 0/ });
  await t.rejects(dio.read(path.join(tmp, 'none'), 0, 512), { code: 'ENOENT', message: /none: open: No such file or directory/ });
  const raw = require('../../../dist/native/directio.node');
  t.throws(() => raw.read(f, -1, 512, () => {}), /offset must be a non-negative integer/);
  t.throws(() => raw.read(f, 0, 0, () => {}), /length must be between 1 and 16 MiB/);
  t.throws(() => raw.write(f, 0, 'text', () => {}), /data must be a Buffer/);
  t.throws(() => raw.read(42, 0, 512, () => {}), /path must be a string/);
  t.throws(() => raw.read(f, 0, 512), /expected \(path, offset/);
});

const canLoop = process.getuid?.() === 0 && (() => { try { execFileSync('losetup', ['-f']); return true; } catch { return false; } })();

t.test('the disk heartbeat sees a write made behind its page cache', { skip: canLoop ? false : 'LOOP DEVICE TEST SKIPPED: needs root and losetup' }, async (t) => {
  const img = path.join(tmp, 'shared.img');
  fs.writeFileSync(img, Buffer.alloc(1 << 20));
  const loop = execFileSync('losetup', ['-f', '--show', img]).toString().trim();
  const holder = fs.openSync(loop, 'r'); // keeps the loop device's page cache alive
  t.teardown(() => { fs.closeSync(holder); execFileSync('losetup', ['-d', loop]); });

  const hb: DiskHeartbeatConfig = { name: 'diskhb1', index: 0, type: 'diskhb', devices: { server1: loop, server2: loop }, offset: 0, slotSize: 4096 };
  const emitted: string[] = [];
  const events = { emit: ({ type, id }: EventId, ...a: EventArg[]) => { emitted.push(`${type} ${id} ${a.join(' ')}`); } };
  const received = (direct: DirectIO | Error) => {
    const got: string[] = [];
    const tr = new DiskTransport(hb, 'server1', 0, 2, events, nullLogger, direct);
    return { tr, got, start: () => tr.start((b) => got.push(b.toString())) };
  };
  // The other box writes its slot (index 1) straight into the disk.
  const peerWrites = async (text: string) => {
    const slot = Buffer.alloc(4096);
    slot.writeUInt16BE(text.length, 0); slot.write(text, 2);
    await dio.write(img, 4096, slot);
  };
  // One poll delivers one read of the peer's slot; wait for it (reads are asynchronous, and
  // how long one takes on a loaded host is no business of this test).
  const cycle = async (r: { tr: DiskTransport; got: string[] }) => {
    const n = r.got.length;
    r.tr.poll();
    for (let i = 0; i < 500 && r.got.length === n; i++) await sleep(20);
  };

  await peerWrites('beat-1');
  const direct = received(dio);
  const cached = received(new Error('simulated: addon missing'));
  await direct.start(); await cached.start();
  fs.readSync(holder, Buffer.alloc(8192), 0, 8192, 0); // populate the page cache
  await cycle(direct); await cycle(cached);
  t.same(direct.got, ['beat-1']); t.same(cached.got, ['beat-1']);

  await peerWrites('beat-2');
  await cycle(direct); await cycle(cached);
  t.same(direct.got, ['beat-1', 'beat-2'], 'direct I/O reads the peer\'s new beat');
  t.same(cached.got, ['beat-1', 'beat-1'], 'a buffered reader would have seen the old one (the test does exercise the cache)');
  t.ok(emitted.some((e) => e.startsWith('diskhb 12 ')), 'the missing addon is reported as diskhb 12');

  // Our own beat lands on the disk itself, not only in our cache.
  direct.tr.send(Buffer.from('mine'));
  const mineOnDisk = () => fs.readFileSync(img).subarray(0, 6);
  for (let i = 0; i < 500 && mineOnDisk().readUInt16BE(0) !== 4; i++) await sleep(20);
  const onDisk = mineOnDisk();
  t.equal(onDisk.readUInt16BE(0), 4); t.equal(onDisk.subarray(2).toString(), 'mine');
  await direct.tr.stop(); await cached.tr.stop();
});
