// liscal in a qemu pair (TCG): load/unload texts, mirrored writes, link cut and
// differential recovery, full and stop/resume recovery, wrong key, protocol garbage,
// the active VM killed mid-write, a recovery target's disk cache lost mid-recovery,
// lower-device EIO, link security (reflection, wrong NMP, forged and replayed frames,
// a flood on the data port). Harness: src/host/vm/README.md.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { Test } from 'tap';
import { vmSkipReason, moduleRelease } from '../../src/host/vm/initramfs';
import { Vm, sleep } from '../../src/host/vm/vm';
import {
  Pair, KO, CHUNKS, CHUNK, DATAPORT, ctl, ctlOk, stat, waitStat, devSha, dmesg, readCp, bitSet,
  differingChunks, initrd, makeDisk, koKernel, guestTool, KEY, DATA_MB,
} from '../../src/host/liscal/pair';

t.setTimeout(40 * 60 * 1000);
/** a guest tool: one write of many pages (a bio larger than the peer's receive batch) */
const bigwrite = path.join(__dirname, 'liscal', 'bigwrite.c');
/** a guest tool: a flood of trickling connections, a TCP relay (lscpoke.c) */
const lscpoke = path.join(__dirname, 'liscal', 'lscpoke.c');
// build the module first (incremental; newest installed amd64 headers) unless told not to
const kmod = path.resolve(__dirname, '../../kmod');
const haveHeaders = fs.existsSync('/usr/src') && fs.readdirSync('/usr/src').some((d) => /^linux-headers-.*-amd64$/.test(d));
if (haveHeaders && !process.env.LISCAL_NO_BUILD) {
  const r = spawnSync('make', ['-s', '-C', kmod], { encoding: 'utf8', timeout: 600000 });
  if (r.status !== 0) {
    t.fail(`make -C kmod failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
}
const skip = fs.existsSync(KO) ? vmSkipReason(moduleRelease(KO))
  : `${KO} is not built (${haveHeaders ? 'make -C kmod' : 'no /usr/src/linux-headers-*-amd64'})`;
if (skip) {
  t.skip(`LISCAL VM TESTS SKIPPED: ${skip}`, () => {});
  process.exit(0);
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'liscal-vm-'));
const keep = !!process.env.LISCAL_KEEP;   // keep the temp dir (console logs, disks)
const MSG = (s: string) => `liscal: ${s}`;

/** writes one 64 KiB chunk of fresh random data at chunk c */
const writeChunk = (vm: Vm, c: number) =>
  vm.ok(`dd if=/dev/urandom of=/dev/NMP1 bs=64k count=1 seek=${c} oflag=direct 2>&1`, 60000);

async function equalDisks(t: Test, p: Pair, what: string) {
  const [a, b] = await Promise.all([devSha(p.vms.a, '/dev/vda'), devSha(p.vms.b, '/dev/vda')]);
  t.equal(a, b, `${what}: sha256 of both data partitions equal`);
}

/** after a break: reconnect from a, differential recovery a -> b, return a's final stat */
async function rejoin(p: Pair, beforeRecover?: () => Promise<void>) {
  await waitStat(p.vms.b, (s) => s.conn === 'disconnected');
  await waitStat(p.vms.a, (s) => s.conn === 'disconnected');
  // after a cable cut the neighbour entry may still be FAILED (EHOSTUNREACH): wait for the
  // link as the runtime would, then dial
  await p.vms.a.ok("n=0; until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do n=$((n+1)); [ $n -gt 30 ] && exit 1; sleep 1; done", 90000);
  await ctlOk(p.vms.a, 'connect 1');
  await waitStat(p.vms.b, (s) => s.conn === 'connected');
  await beforeRecover?.();
  await ctlOk(p.vms.a, 'recover 1 diff');
  return waitStat(p.vms.a, (s) => s.recovery === 'done', 120000);
}

t.test('pair: load, mirror, break, recovery, key, garbage, unload', async (t) => {
  const dir = tmp();
  const p = new Pair(dir, { files: { '/bin/bigwrite': guestTool(dir, bigwrite) } });
  t.teardown(async () => { await p.kill(); if (!keep) fs.rmSync(dir, { recursive: true, force: true }); else t.comment(`kept ${dir}`); });
  await p.bootBoth();
  const { a, b } = p.vms;

  await t.test('load message and major 218', async (t) => {
    for (const vm of [a, b]) {
      t.match(await dmesg(vm), MSG('registered device at major 218, nmp count is 4\n'), `${vm.spec.name}: load text`);
      t.match(await vm.ok('cat /proc/devices'), /^218 liscal$/m, `${vm.spec.name}: 218 liscal in /proc/devices`);
      t.match(await vm.ok('ls /dev'), /NMP1[\s\S]*NMP4/, 'NMP1..4 exist');
    }
  });

  await t.test('bind, declare identical, connect', async (t) => {
    await p.mirrored();
    const sa = await stat(a), sb = await stat(b);
    t.match(sa, { port: 'open', conn: 'connected', state: 'SYNC', color: 'GREEN', dirty: '0', chunks: String(CHUNKS) });
    t.match(sb, { port: 'closed', peerport: 'open', conn: 'connected', state: 'SYNC' });
    t.match(await dmesg(a), MSG('NMP1 open I/O port OK\n'), 'open text');
  });

  await t.test('activation refused while the peer port is open; unload refused while a port is open', async (t) => {
    const r = await ctl(b, 'open 1');
    t.not(r.rc, 0, 'open on b refused');
    t.match(r.out, /Operation not permitted/, 'EPERM');
    t.equal((await stat(b)).port, 'closed');
    const u = await ctl(a, 'unload-check');
    t.not(u.rc, 0, 'unload-check refused');
    t.match(await dmesg(a), MSG('ERROR:MOUNT PORT is opened\n'), 'ERROR:MOUNT PORT is opened');
    t.not((await a.sh('rmmod liscal')).rc, 0, 'rmmod refused');
    t.match(await a.ok('cat /proc/modules'), /^liscal /m, 'still loaded');
    const rd = await b.sh('dd if=/dev/NMP1 of=/dev/null bs=4k count=1 iflag=direct');
    t.not(rd.rc, 0, 'I/O on b (port closed) fails');
  });

  await t.test('mirrored writes land on the peer', async (t) => {
    await a.ok('dd if=/dev/urandom of=/dev/NMP1 bs=1M count=8 oflag=direct 2>&1', 120000);
    await a.ok('dd if=/dev/urandom of=/dev/NMP1 bs=4k count=7 seek=5001 oflag=direct conv=fsync 2>&1');
    await a.ok('dd if=/dev/urandom of=/dev/NMP1 bs=512 count=3 seek=77777 oflag=direct 2>&1');
    await a.ok('dd if=/dev/urandom of=/tmp/f bs=1k count=300 && dd if=/tmp/f of=/dev/NMP1 bs=1k seek=40000 conv=fsync 2>&1');
    // one 2 MiB bio (a huge page is one contiguous segment): over the 1 MiB frame
    // limit, so the driver must split it (unsplit, the peer rejected the frame's length)
    await a.ok('echo 4 > /proc/sys/vm/nr_hugepages && bigwrite /dev/NMP1 33 2>&1', 120000);
    t.match(await stat(a), { conn: 'connected', state: 'SYNC' }, 'a 2 MiB bio keeps the mirror');
    await equalDisks(t, p, 'after writes');
    t.equal(await devSha(a, '/dev/NMP1'), await devSha(b, '/dev/vda'), 'NMP1 on a reads what b holds');
    await waitStat(a, (s) => s.dirty === '0', 10000);
    t.pass('bits cleared once acked (dirty=0)');
  });

  await t.test('flushes: real after non-FUA writes (both sides), completed at once when nothing is volatile', async (t) => {
    const counters = async (vm: Vm) => {
      const line = (await vm.ok(`grep '^NMP1 ' /proc/liscal/stats`)).trim();
      return Object.fromEntries(line.split(' ').slice(1).map((kv) => [kv.split('=')[0], Number(kv.split('=')[1].split('/')[0])]));
    };
    const [a0, b0] = [await counters(a), await counters(b)];
    await a.ok('dd if=/dev/urandom of=/dev/NMP1 bs=4k count=4 seek=3000 oflag=direct conv=fsync 2>&1');
    const [a1, b1] = [await counters(a), await counters(b)];
    t.equal(a1.noflush - a0.noflush, 0, 'the fsync after non-FUA writes is a real flush');
    t.equal(b1.rxwrite - b0.rxwrite, 5, 'b received the 4 writes and the flush frame');
    await a.ok('dd if=/dev/zero of=/dev/NMP1 bs=4k count=0 conv=fsync 2>&1');
    const [a2, b2] = [await counters(a), await counters(b)];
    t.ok(a2.noflush - a1.noflush >= 1, 'an fsync with nothing written since is completed at once');
    t.equal(b2.rxwrite - b1.rxwrite, 0, 'and sends nothing to b');
    t.ok(a2.fast - a0.fast >= 4, 'the mirrored writes were issued by the submitter (no hand-off)');
  });

  await t.test('link cut: local writes go on, dirty chunks counted, differential recovery copies only them', async (t) => {
    await a.setLink(false);
    await b.setLink(false);
    const dirty = [100, 200, 300, 400, 555];
    for (const c of dirty) await writeChunk(a, c);
    const sa = await waitStat(a, (s) => s.conn === 'disconnected');
    t.match(sa, { state: 'BREAK', color: 'GREEN', dirty: String(dirty.length), port: 'open' }, `a: BREAK, dirty=${dirty.length}`);
    t.not(sa.breaktime, '0', 'break time recorded');
    const sb = await waitStat(b, (s) => s.conn === 'disconnected');
    t.match(sb, { state: 'SYNC', dirty: '0' }, 'b (port closed) cannot know yet: still SYNC');
    t.match(await dmesg(a), MSG('NMP1 I/O incomplete.\n'), 'I/O incomplete text');
    await a.setLink(true);
    await b.setLink(true);
    const done = await rejoin(p, async () => {
      t.match(await waitStat(b, (s) => s.state === 'STALE'), { color: 'RED', peerport: 'open' }, 'b learns a went on alone: STALE (RED)');
    });
    t.match(done, { rtotal: String(dirty.length), rdone: String(dirty.length), pct: '100', state: 'SYNC', dirty: '0' },
      'only the dirty chunks were copied');
    t.match(await waitStat(b, (s) => s.state === 'SYNC'), { color: 'GREEN', recovery: 'done' });
    await equalDisks(t, p, 'after differential recovery');
  });

  await t.test('full recovery with application writes during it', async (t) => {
    await ctlOk(a, 'recover 1 full');
    await a.ok('dd if=/dev/urandom of=/dev/NMP1 bs=64k count=32 seek=700 oflag=direct 2>&1', 120000);
    const s = await waitStat(a, (s) => s.recovery === 'done', 300000);
    t.match(s, { rtotal: String(CHUNKS), rdone: String(CHUNKS), state: 'SYNC' }, 'every chunk copied');
    t.comment(`full recovery of ${CHUNKS} chunks: ${s.elapsed} s`);
    await waitStat(b, (s) => s.state === 'SYNC');
    await equalDisks(t, p, 'after full recovery');
  });

  await t.test('recovery stopped and resumed', async (t) => {
    await ctlOk(a, 'recover 1 full');
    await waitStat(a, (s) => Number(s.rdone) >= 50, 120000);
    await ctlOk(a, 'stoprecover 1');
    const st = await stat(a);
    t.equal(st.recovery, 'stopped');
    const left = Number(st.dirty);
    t.ok(left > 0 && left < CHUNKS, `progress kept: ${left} chunks left`);
    t.equal(left + Number(st.rdone), CHUNKS, 'copied + left = all');
    t.match(await stat(b), { state: 'STALE', color: 'RED' }, 'target of a stopped recovery is STALE');
    await ctlOk(a, 'recover 1 diff');
    const s = await waitStat(a, (s) => s.recovery === 'done', 300000);
    t.equal(s.rtotal, String(left), 'resumed with only what was left');
    await waitStat(b, (s) => s.state === 'SYNC');
    await equalDisks(t, p, 'after resumed recovery');
  });

  await t.test('wrong key refused', async (t) => {
    await ctlOk(a, 'disconnect 1');
    await waitStat(b, (s) => s.conn === 'disconnected');
    await ctlOk(b, 'key 00112233445566778899aabbccddeeff');
    const r = await ctl(a, 'connect 1');
    t.not(r.rc, 0, 'connect fails');
    t.match(await dmesg(a), MSG('NMP1 deciding connection type failed(-13)\n'), 'dialer: wrong MAC');
    t.match(await dmesg(b), MSG('NMP1 deciding connection type failed(-13)\n'), 'acceptor: wrong MAC');
    t.equal((await stat(b)).conn, 'disconnected');
    await ctlOk(b, `key 0123456789abcdef0123456789abcdef`);
    await rejoin(p);
    await equalDisks(t, p, 'after reconnect');
  });

  const garbage: Array<[string, string]> = [
    ['badmagic', 'NMP1 receive wrong magic data.'],
    ['badcmd', 'NMP1 wrong command received(99).'],
    ['badcrc', 'NMP1 head part received is wrong. (magic=0x4c43534c, cmd=4)'],
  ];
  for (const [fault, text] of garbage) {
    await t.test(`corrupted frame (${fault}) breaks the mirror without a crash`, async (t) => {
      await ctlOk(a, `inject 1 ${fault}`);
      await writeChunk(a, 900);
      await waitStat(b, (s) => s.conn === 'disconnected');
      t.match(await dmesg(b), MSG(`${text}\n`), `b: "${text}"`);
      const sa = await waitStat(a, (s) => s.conn === 'disconnected');
      t.match(sa, { state: 'BREAK' });
      t.ok(Number(sa.dirty) >= 1, 'the unmirrored chunk is dirty');
      await rejoin(p);
      await equalDisks(t, p, `after ${fault}`);
    });
  }

  await t.test('garbage on the data port', async (t) => {
    await ctlOk(a, 'disconnect 1');
    await waitStat(b, (s) => s.conn === 'disconnected');
    await a.sh(`head -c 4096 /dev/urandom | timeout 5 nc ${'10.0.0.2'} ${DATAPORT}`, 20000);
    await a.sh(`printf 'GET / HTTP/1.0\\r\\n\\r\\n0123456789012345678901234567890123456789' | timeout 5 nc 10.0.0.2 ${DATAPORT}`, 20000);
    t.match(await dmesg(b), MSG('NMP1 receive wrong magic data.\n'), 'b rejects it');
    t.equal((await stat(b)).conn, 'disconnected', 'b did not take it as a peer');
    await writeChunk(a, 901);
    await rejoin(p);
    await equalDisks(t, p, 'after garbage');
  });

  await t.test('close, unbind, unload', async (t) => {
    // A write just before the close: its extent's intent bits would stay on disk for
    // al_idle_ms (made long here), so a reboot without unbind read as a crash. The close
    // drops them: the cluster partition says SYNC with no bit before any unbind.
    await a.ok('echo 600000 > /sys/module/liscal/parameters/al_idle_ms');
    await writeChunk(a, 900);
    await ctlOk(a, 'close 1');
    t.match(await dmesg(a), MSG('NMP1 close I/O port OK.\n'), 'close text');
    const closed = readCp(p.file('a', 'cp'));
    t.match(closed, { state: 1 }, 'a: cluster partition SYNC right after the close');
    t.equal(closed.bits.filter((x) => x !== 0).length, 0, 'a: no intent bit left on disk by the last write');
    await ctlOk(a, 'unload-check');
    for (const vm of [a, b]) {
      await ctlOk(vm, 'unbind 1');
      await vm.ok('rmmod liscal');
      t.match(await dmesg(vm), MSG('unregister blkdev successfully.\n'), `${vm.spec.name}: unload text`);
      t.notMatch(await vm.ok('cat /proc/devices'), /^218 liscal$/m, 'major 218 released');
    }
    await p.stop();
    t.same(differingChunks(p.file('a', 'data'), p.file('b', 'data')), [], 'raw backing files equal on the host');
    for (const n of ['a', 'b']) {
      const cp = readCp(p.file(n, 'cp'));
      t.match(cp, { magic: 0x444d534c, version: 1, chunks: CHUNKS, state: 1 }, `${n}: cluster partition SYNC`);
      t.equal(cp.bits.filter((x) => x !== 0).length, 0, `${n}: empty bitmap`);
    }
  });
});

t.test('pair: active VM killed mid-write; the other takes over, the old one rejoins', async (t) => {
  const dir = tmp();
  const p = new Pair(dir);
  t.teardown(async () => { await p.kill(); if (!keep) fs.rmSync(dir, { recursive: true, force: true }); else t.comment(`kept ${dir}`); });
  await p.bootBoth();
  await p.mirrored();
  const { a, b } = p.vms;
  // three writers; write i goes to 4 KiB block (i*37 mod 16384) and starts with "BLK<i>";
  // its acknowledgement goes to the console
  await a.ok(`for k in 0 1 2; do ( i=$k; while [ $i -lt 6000 ]; do printf 'BLK%08d' $i > /tmp/b$k;
    dd if=/tmp/b$k of=/dev/NMP1 bs=4k count=1 seek=$(( i * 37 % 16384 )) conv=sync,fsync oflag=direct 2>/dev/null &&
    echo "ACK $i" > /dev/ttyS0; i=$((i+3)); done ) > /dev/null 2>&1 & done`);
  const acked = () => [...a.consoleText().matchAll(/^ACK (\d+)$/gm)].map((m) => Number(m[1]));
  const t0 = Date.now();
  while (acked().length < 40 && Date.now() - t0 < 120000) await sleep(200);
  await a.kill();
  const ack = acked();
  t.ok(ack.length >= 40, `${ack.length} writes acknowledged before the kill`);

  await waitStat(b, (s) => s.conn === 'disconnected');
  const bData = fs.readFileSync(p.file('b', 'data'));
  const missing = ack.filter((i) => bData.toString('latin1', (i * 37 % 16384) * 4096, (i * 37 % 16384) * 4096 + 11) !== `BLK${String(i).padStart(8, '0')}`);
  t.same(missing, [], 'every acknowledged write is on the survivor');

  const cp = readCp(p.file('a', 'cp'));
  t.equal(cp.magic, 0x444d534c, 'metadata survived the kill');
  const differ = differingChunks(p.file('a', 'data'), p.file('b', 'data'));
  t.same(differ.filter((c) => !bitSet(cp.bits, c)), [], `the killed side's bitmap covers every differing chunk (${differ.length} differ)`);
  const lastChunk = ((ack[ack.length - 1] * 37 % 16384) * 4096 / CHUNK) | 0;
  t.ok(bitSet(cp.bits, lastChunk) || !differ.includes(lastChunk), 'last written chunk covered');

  await ctlOk(b, 'open 1');
  t.match(await stat(b), { port: 'open', state: 'BREAK', color: 'GREEN' }, 'b activated');
  const bChunks = [800, 810, 820];   // away from the blocks written by a
  for (const c of bChunks) await writeChunk(b, c);

  const a2 = await p.boot('a');
  await p.bind('a');
  const sa = await stat(a2);
  // the killed side comes back BREAK with its intent bits unless nothing was in flight
  t.ok(differ.length === 0 || (sa.state === 'BREAK' && Number(sa.dirty) >= differ.length),
    `rejoined a: state ${sa.state}, ${sa.dirty} dirty chunks (>= ${differ.length} differing)`);
  await ctlOk(b, 'connect 1');
  await waitStat(a2, (s) => s.conn === 'connected');
  t.match(await stat(a2), { peerport: 'open' });
  t.not((await ctl(a2, 'open 1')).rc, 0, 'a may not open while b is active');
  await ctlOk(b, 'recover 1 diff');
  const s = await waitStat(b, (s) => s.recovery === 'done', 120000);
  // a's intent bits cover whole 4 MiB extents (64 chunks) of what it wrote while mirrored
  const ext = new Set([...ack, ...[1, 2, 3].map((k) => ack[ack.length - 1] + k)]
    .map((i) => Math.floor((i * 37 % 16384) * 4096 / CHUNK / 64)));
  bChunks.forEach((c) => ext.add(Math.floor(c / 64)));
  t.ok(Number(s.rtotal) <= ext.size * 64 && Number(s.rtotal) < CHUNKS,
    `differential: ${s.rtotal} chunks copied (<= ${ext.size} extents of 64)`);
  await waitStat(a2, (s) => s.state === 'SYNC');
  await equalDisks(t, p, 'after rejoin');
  await p.stop();
  const aData = fs.readFileSync(p.file('a', 'data'));
  const lost = ack.filter((i) => !bChunks.includes(((i * 37 % 16384) * 4096 / CHUNK) | 0)).filter((i) => aData.toString('latin1', (i * 37 % 16384) * 4096, (i * 37 % 16384) * 4096 + 11) !== `BLK${String(i).padStart(8, '0')}`);
  t.same(lost, [], 'every acknowledged write is on the rejoined side too');
});

t.test('power cut with unmirrored writes: metadata survives, the bitmap covers every written chunk', async (t) => {
  const dir = tmp();
  t.teardown(() => { if (!keep) fs.rmSync(dir, { recursive: true, force: true }); });
  const kernel = koKernel()!;
  const data = makeDisk(path.join(dir, 'c.data'), 64 << 20), cp = makeDisk(path.join(dir, 'c.cp'), 1 << 20);
  const vm = new Vm({ name: 'c', dir, kernel: kernel.vmlinuz, initrd: initrd(dir, kernel), ip: '10.0.0.1', disks: [{ file: data }, { file: cp }] });
  t.teardown(() => vm.kill());
  await vm.start();
  await ctlOk(vm, 'key 00');
  await ctlOk(vm, `bind 1 data=/dev/vda cp=/dev/vdb peer=10.0.0.2 dataport=${DATAPORT}`);
  await ctlOk(vm, 'force 1 green');
  await ctlOk(vm, 'open 1');
  // two writers over pseudo-random chunks of the blank disk, not waiting for each other
  await vm.ok(`for k in 1 2; do ( i=$k; while :; do
    dd if=/dev/urandom of=/dev/NMP1 bs=4k count=1 seek=$(( (i * 7919) % 16384 )) oflag=direct 2>/dev/null;
    i=$((i+2)); done ) > /dev/null 2>&1 & done`);
  await sleep(4000);
  await vm.kill();
  const m = readCp(cp);
  t.match(m, { magic: 0x444d534c, version: 1, chunks: CHUNKS }, 'metadata readable after the power cut');
  t.equal(m.state, 2, 'state BREAK on disk');
  const raw = fs.readFileSync(data), zero = Buffer.alloc(CHUNK);
  const written: number[] = [];
  for (let c = 0; c < CHUNKS; c++) if (!raw.subarray(c * CHUNK, (c + 1) * CHUNK).equals(zero)) written.push(c);
  t.ok(written.length >= 10, `${written.length} chunks written before the cut`);
  t.same(written.filter((c) => !bitSet(m.bits, c)), [], 'every written chunk has its bit');
});

// The target's disk is null_blk with a volatile write cache (memory_backed, cache_size): its
// power attribute turned off drops what no flush reached, as a power cut does to a disk cache.
t.test('recovery target loses its disk cache mid-recovery: no acknowledged chunk is lost', async (t) => {
  const dir = tmp();
  const p = new Pair(dir, { modules: ['null_blk'] });
  t.teardown(async () => { await p.kill(); if (!keep) fs.rmSync(dir, { recursive: true, force: true }); else t.comment(`kept ${dir}`); });
  await p.bootBoth();
  const { a, b } = p.vms;
  // named as the kernel names it (nullb0 is the module's default device): /dev/nullb1
  const nb = '/sys/kernel/config/nullb/nullb1', dev = '/dev/nullb1';
  await b.ok(`mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config; mkdir ${nb}
    echo ${DATA_MB} > ${nb}/size; echo 1 > ${nb}/memory_backed; echo ${DATA_MB} > ${nb}/cache_size
    echo 512 > ${nb}/blocksize; echo 1 > ${nb}/power`);
  await p.bind('a');
  await p.bind('b', KEY, dev);
  for (const vm of [a, b]) await ctlOk(vm, 'force 1 green');   // both blank
  await ctlOk(a, 'open 1');
  // 400 chunks written while cut off: a's bitmap has them, b's disk not
  await a.ok(`dd if=/dev/urandom of=/dev/NMP1 bs=64k count=400 seek=100 oflag=direct 2>&1`, 120000);
  t.equal(Number((await stat(a)).dirty), 400, 'a: 400 chunks to send');
  await ctlOk(a, 'connect 1');
  await waitStat(b, (s) => s.conn === 'connected');
  await ctlOk(a, 'recover 1 diff');
  await waitStat(a, (s) => Number(s.rdone) >= 100, 120000);
  await ctlOk(a, 'stoprecover 1');
  const st = await stat(a);
  t.equal(st.recovery, 'stopped');
  t.ok(Number(st.dirty) < 400 && Number(st.dirty) > 0, `a cleared the bits of the acknowledged chunks (${st.dirty} left)`);
  t.match(await b.ok('cat /proc/liscal/stats'), /^NMP1 .*recflush=[1-9]/m, 'the target flushed before acknowledging');
  // b's disk loses power: its cache is gone; then b's liscal goes and comes back on the same disk
  await b.ok(`echo 0 > ${nb}/power`);
  await ctlOk(a, 'disconnect 1');
  await waitStat(b, (s) => s.conn === 'disconnected');
  await ctlOk(b, 'unbind 1');
  await b.ok(`echo 1 > ${nb}/power`);
  await p.bind('b', KEY, dev);
  await rejoin(p);
  await waitStat(b, (s) => s.state === 'SYNC');
  const [sa, sb] = await Promise.all([devSha(a, '/dev/vda'), devSha(b, dev)]);
  t.equal(sb, sa, 'after the resumed recovery both disks are equal: every chunk acknowledged before the cut was durable');
});

t.test('lower-device I/O error: message, detach mode, reboot mode', async (t) => {
  const dir = tmp();
  t.teardown(() => { if (!keep) fs.rmSync(dir, { recursive: true, force: true }); });
  const kernel = koKernel()!;
  const rd = initrd(dir, kernel);
  const rules = path.join(dir, 'eio.conf');
  // EIO for any write touching sector 20480 (chunk 160)
  fs.writeFileSync(rules, '[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "20480"\nonce = "off"\n');
  const vm = new Vm({
    name: 'e', dir, kernel: kernel.vmlinuz, initrd: rd, ip: '10.0.0.1',
    disks: [{ file: makeDisk(path.join(dir, 'e.data'), 64 << 20), blkdebug: rules }, { file: makeDisk(path.join(dir, 'e.cp'), 1 << 20) }],
  });
  t.teardown(() => vm.kill());
  await vm.start();
  await ctlOk(vm, 'key 00');
  await ctlOk(vm, `bind 1 data=/dev/vda cp=/dev/vdb peer=10.0.0.2 dataport=${DATAPORT}`);
  await ctlOk(vm, 'force 1 green');
  await ctlOk(vm, 'onerror 1 detach');
  await ctlOk(vm, 'open 1');
  await writeChunk(vm, 3);
  const r = await vm.sh('dd if=/dev/urandom of=/dev/NMP1 bs=64k count=1 seek=160 oflag=direct');
  t.not(r.rc, 0, 'the write fails upward');
  t.match(await dmesg(vm), MSG('warning!! NMP1 disk I/O error,system will reboot.\n'), 'seed text');
  const s = await waitStat(vm, (s) => s.port === 'closed');
  t.match(s, { diskerr: '1' }, 'detached: port closed, diskerr=1');
  t.match(await dmesg(vm), MSG('NMP1 close I/O port OK.\n'));
  t.not((await vm.sh('dd if=/dev/NMP1 of=/dev/null bs=4k count=1 iflag=direct')).rc, 0, 'no I/O once detached');
  t.not((await ctl(vm, 'open 1')).rc, 0, 'cannot reopen with a disk error');
  await ctlOk(vm, 'unbind 1');
  await ctlOk(vm, `bind 1 data=/dev/vda cp=/dev/vdb peer=10.0.0.2 dataport=${DATAPORT}`);
  t.equal((await stat(vm)).diskerr, '1', 'disk error flag persisted in the cluster partition');

  await ctlOk(vm, 'force 1 green');
  await ctlOk(vm, 'onerror 1 reboot');
  await ctlOk(vm, 'open 1');
  await vm.sh('dd if=/dev/urandom of=/dev/NMP1 bs=64k count=1 seek=160 oflag=direct', 30000).catch(() => undefined);
  t.ok(await vm.waitExit(30000), 'reboot action: the VM restarted (qemu -no-reboot exits)');
  t.match(vm.consoleText(), MSG('warning!! NMP1 disk I/O error,system will reboot.'), 'message on the console before the reboot');
});

t.test('pair: CRC32C by the library on one side, by the tables on the other; a bad crc= refused', async (t) => {
  const dir = tmp();
  const p = new Pair(dir, { files: { '/bin/bigwrite': guestTool(dir, bigwrite) } });
  t.teardown(async () => { await p.kill(); if (!keep) fs.rmSync(dir, { recursive: true, force: true }); else t.comment(`kept ${dir}`); });
  await p.bootBoth();
  const { a, b } = p.vms;
  for (const vm of [a, b]) {
    t.match(await dmesg(vm), /liscal: crc32c: (tables|library) \(library \d+ us\/MiB, tables \d+ us\/MiB\)\n/, `${vm.spec.name}: load measured both`);
    await vm.ok('rmmod liscal');
    t.not((await vm.sh('insmod /lib/mod/liscal.ko crc=bogus')).rc, 0, `${vm.spec.name}: crc=bogus refused`);
    t.match(await dmesg(vm), MSG('crc=bogus: not auto, lib or table\n'), 'says which parameter');
  }
  await a.ok('insmod /lib/mod/liscal.ko crc=table');
  await b.ok('insmod /lib/mod/liscal.ko crc=lib');
  t.match(await dmesg(a), MSG('crc32c: tables (crc=table)\n'), 'a: tables');
  t.match(await dmesg(b), MSG('crc32c: library (crc=lib)\n'), 'b: library');
  for (const vm of [a, b]) await vm.ok('echo 2000 > /sys/module/liscal/parameters/ack_timeout_ms');
  await p.mirrored();
  for (let c = 0; c < 64; c += 7) await writeChunk(a, c);
  // 1 MiB frames: from a huge page, and from separate pages
  await a.ok('echo 4 > /proc/sys/vm/nr_hugepages && bigwrite /dev/NMP1 3 2>&1', 120000);
  await a.ok('dd if=/dev/urandom of=/dev/NMP1 bs=1M count=4 seek=8 oflag=direct 2>&1', 60000);
  t.match(await stat(b), { conn: 'connected', state: 'SYNC' }, 'no frame rejected: still mirrored');
  t.notMatch(await dmesg(b), /rejected/, 'b rejected nothing');
  await equalDisks(t, p, 'tables on a, library on b');
});

t.test('pair: link security (reflection, wrong NMP, forged and replayed frames, a flood on the data port)', async (t) => {
  const dir = tmp();
  const p = new Pair(dir, {
    extraDisks: [{ name: 'data2', mb: 8 }, { name: 'cp2', mb: 1 }],
    files: { '/bin/lscpoke': guestTool(dir, lscpoke) },
  });
  t.teardown(async () => { await p.kill(); if (!keep) fs.rmSync(dir, { recursive: true, force: true }); else t.comment(`kept ${dir}`); });
  await p.bootBoth();
  const { a, b } = p.vms;
  const chunkSha = (vm: Vm, c: number) => vm.ok(`dd if=/dev/vda bs=64k skip=${c} count=1 iflag=direct 2>/dev/null | sha256sum`);
  const refused = (nmp: number) => new RegExp(`liscal: NMP${nmp} handshake refused: the peer's (HELLO|AUTH) does not match`);

  await t.test('a connection relayed back to its own listener (reflection) is refused', async (t) => {
    await p.bind('a');
    // nothing bound on b: its data port relays to a's own listener, same NMP, same key
    await b.ok(`lscpoke relay ${DATAPORT} 10.0.0.1 ${DATAPORT} > /tmp/relay 2>&1 & echo $! > /tmp/relay.pid`);
    await b.ok('n=0; until grep -q listening /tmp/relay; do n=$((n+1)); [ $n -gt 100 ] && exit 1; sleep 0.2; done', 30000);
    const r = await ctl(a, 'connect 1');
    t.not(r.rc, 0, 'connect fails');
    const log = await dmesg(a);
    t.match(log, refused(1), 'a names the refused proof');
    t.match(log, MSG('NMP1 deciding connection type failed(-13)\n'), 'seed text');
    t.equal((await stat(a)).conn, 'disconnected', 'a is not linked to itself');
    await b.sh('kill $(cat /tmp/relay.pid) 2>/dev/null');
    await ctlOk(a, 'unbind 1');
  });

  await t.test('a dialer of another NMP is refused', async (t) => {
    await ctlOk(a, `bind 2 data=/dev/vdc cp=/dev/vdd peer=10.0.0.2 dataport=${DATAPORT}`);
    await p.bind('b');
    const r = await ctl(a, 'connect 2');
    t.not(r.rc, 0, 'connect 2 to b\'s NMP1 fails');
    t.match(await dmesg(b), MSG("NMP1 handshake refused: the peer's HELLO is for NMP2\n"), 'b says which NMP was dialed');
    t.match(await dmesg(a), MSG("NMP2 handshake refused: the peer's HELLO is for NMP1\n"), 'a says which NMP answered');
    t.equal((await stat(b)).conn, 'disconnected', 'b not linked');
    t.equal((await stat(a, 2)).conn, 'disconnected', 'a\'s NMP2 not linked');
    await ctlOk(a, 'unbind 2');
    await ctlOk(b, 'unbind 1');
  });

  await t.test('a forged frame is refused: the link breaks, nothing lands on the standby, no disk-error action', async (t) => {
    await p.mirrored();
    const before = await chunkSha(b, 900);
    // the next WRITE leaves with a wrong MAC and everything else right (header CRC
    // included): what an injector without the session key can send
    await ctlOk(a, 'inject 1 badmac');
    await writeChunk(a, 900);
    await waitStat(b, (s) => s.conn === 'disconnected');
    t.match(await dmesg(b), /liscal: NMP1 frame rejected: MAC mismatch \(cmd 4, link seq \d+, 65536 bytes\)\n/, 'b names the MAC');
    t.equal(await chunkSha(b, 900), before, 'the forged write did not land on b');
    const sa = await waitStat(a, (s) => s.conn === 'disconnected');
    t.match(sa, { port: 'open', diskerr: '0' }, 'a: link broken, port still open, no disk error');
    t.ok(Number(sa.dirty) >= 1, 'the unmirrored chunk is dirty on a');
    t.match(await stat(b), { diskerr: '0' }, 'b: no disk error');
    t.notMatch(await dmesg(b), /disk I\/O error/, 'no disk-error action on b');
    await rejoin(p);
    await equalDisks(t, p, 'after the forged frame');
  });

  await t.test('a replayed frame is refused', async (t) => {
    // b sends its next small frame (the ACK of the write, or a PING) twice, byte for byte
    await ctlOk(b, 'inject 1 replay');
    await writeChunk(a, 901);
    const sa = await waitStat(a, (s) => s.conn === 'disconnected');
    const m = /liscal: NMP1 frame rejected: replayed \(cmd \d+, link seq (\d+), expected (\d+)\)\n/.exec(await dmesg(a));
    t.ok(m, 'a names the replay');
    t.equal(Number(m?.[2]), Number(m?.[1]) + 1, 'the replayed number is the one just received');
    t.match(sa, { port: 'open', diskerr: '0' }, 'a: link broken, no disk error');
    t.match(await stat(b), { diskerr: '0' }, 'b: no disk error');
    await rejoin(p);
    await equalDisks(t, p, 'after the replayed frame');
  });

  await t.test('a break between a write\'s admission and its frame: the write completes, unmirrored (finding 28)', async (t) => {
    // as the receiver's break on a rejected frame can land while the writer writes its intent
    // block: the write waited for the ACK of a frame never sent (CI of a5747609, the replay above)
    await ctlOk(a, 'inject 1 breakissue');
    await writeChunk(a, 904);
    t.pass('the write returned');
    t.match(await dmesg(a), MSG('NMP1 mirror break (fault injection)\n'), 'the injected break');
    const sa = await waitStat(a, (s) => s.conn === 'disconnected');
    t.match(sa, { port: 'open', diskerr: '0' }, 'a: link broken, no disk error');
    t.ok(Number(sa.dirty) >= 1, 'the unmirrored chunk is dirty on a');
    await rejoin(p);
    await equalDisks(t, p, 'after the break at issue');
  });

  /** lscpoke flood on a against b's data port, in the background; its output file */
  const flood = async (n: number, secs: number, out: string) => {
    await a.ok(`lscpoke flood 10.0.0.2 ${DATAPORT} ${n} ${secs} > ${out} 2>&1 &`);
    return async () => {
      await a.ok(`n=0; until grep -q reopened= ${out}; do n=$((n+1)); [ $n -gt 600 ] && exit 1; sleep 0.2; done`, 180000);
      return Number(/reopened=(\d+)/.exec(await a.ok(`cat ${out}`))?.[1]);
    };
  };
  /** b's kernel log names the event (rate-limited lines: the first ones are there) */
  const logged = (vm: Vm, text: string) =>
    vm.ok(`n=0; until dmesg | grep -qF '${text}'; do n=$((n+1)); [ $n -gt 300 ] && exit 1; sleep 0.2; done`, 90000);

  // Tricklers: 3 connections (of 4 handshake slots), each sending a header byte every 200 ms.
  // A flood: 16 trickling connections for 4 slots; each new one ends a pending one, which the
  // flood opens again at once.
  const floods = [
    { name: 'tricklers on the data port are dropped at the deadline and do not keep the peer out', n: 3, secs: 12, out: '/tmp/trickle', log: 'NMP1 handshake dropped: not done within 3000 ms', chunk: 902 },
    { name: 'a flood of connections on the data port does not keep the peer out', n: 16, secs: 30, out: '/tmp/flood', log: 'NMP1 handshake dropped: 4 handshakes pending', chunk: 903 },
  ];
  for (const f of floods) {
    await t.test(f.name, async (t) => {
      await ctlOk(a, 'disconnect 1');
      await waitStat(b, (s) => s.conn === 'disconnected');
      const done = await flood(f.n, f.secs, f.out);
      await logged(b, f.log);
      t.pass(`b's kernel log: ${f.log}`);
      await ctlOk(a, 'connect 1');
      t.match(await waitStat(b, (s) => s.conn === 'connected'), { conn: 'connected' }, `the peer connected during the ${f.n} connections`);
      const reopened = await done();
      // The tricklers' connections each end once at least; the flood's are reopened as b ends them.
      const least = f.n > 4 ? f.n + 1 : 1;
      t.ok(reopened >= least, `the connections were ended by b (${reopened} reopened, at least ${least})`);
      await writeChunk(a, f.chunk);
      t.match(await stat(a), { conn: 'connected', state: 'SYNC' }, 'still mirrored');
      await equalDisks(t, p, `after the ${f.n} connections`);
    });
  }
});
