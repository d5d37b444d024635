// A disk added to a box of the virtual pair (seed §6.6.2 (7)): the qemu command line attaches
// it only when asked, at a PCI slot of its own, after the system disk and the stick (so they
// keep vda and vdb); Pair.addDisk makes it for a box that is off, once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import { Pair, defaultPairConfig, type PairState } from '../../../src/host/pair/pair';
import { DISK2_PCI, boxFiles, qemuArgs } from '../../../src/host/pair/qemu';
import { topology } from '../../../src/host/pair/topology';
import { HostPlatform } from '../../../src/platform/host';
import { missingTools } from '../../../src/host/vm/qemu';

const topo = topology(parseConfig(fs.readFileSync(defaultPairConfig, 'utf8'), defaultPairConfig));
const spec = (disk2?: boolean) => ({ index: 0, server: 'server1', files: boxFiles('/run/x', 'server1'), imageDir: '/img', memoryMb: 512, disk2 });
/** The -device values with a PCI address, in command-line order. */
const devices = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === '-device' && /addr=/.test(a) ? [a] : []));
/** A device's PCI slot as 0xNN (the NICs' are written without the 0x). */
const slot = (d: string) => `0x${/addr=(?:0x)?([0-9a-f]+)/.exec(d)![1].padStart(2, '0')}`;

t.test('without an added disk the command line is as before', async (t) => {
  const args = qemuArgs(topo, spec());
  t.notOk(args.some((a) => a.includes('disk2')), 'no second disk');
  t.notOk(devices(args).some((d) => slot(d) === DISK2_PCI), `slot ${DISK2_PCI} unused`);
  t.same(devices(args).filter((d) => d.startsWith('virtio-blk-pci')).map(slot), ['0x10', '0x11'], 'system disk and stick');
});

t.test('with an added disk: a third virtio disk at its own slot, after the stick', async (t) => {
  const args = qemuArgs(topo, spec(true));
  t.ok(args.includes('file=/run/x/server1.disk2.qcow2,if=none,id=disk2,format=qcow2'), 'the qcow2 file of the box');
  const blk = devices(args).filter((d) => d.startsWith('virtio-blk-pci'));
  t.same(blk.map(slot), ['0x10', '0x11', DISK2_PCI], 'system disk (vda), stick (vdb), the added disk (vdc) in PCI order');
  t.match(blk[2], /drive=disk2/);
  const slots = devices(args).map(slot);
  t.equal(new Set(slots).size, slots.length, `every PCI slot used once (${slots.join(' ')})`);
});

const noQemuImg = missingTools(['qemu-img']);
t.test('Pair.addDisk', { skip: noQemuImg || undefined }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pair-disk2-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pair = new Pair(dir, new HostPlatform({ powerRecord: '' }), 'unused');
  const s: PairState = { dir, configFile: defaultPairConfig, imageDir: dir, memoryMb: 512, cut: [], boxes: [{ name: 'server1', index: 0 }, { name: 'server2', index: 1, pid: process.pid }] };
  fs.writeFileSync(path.join(dir, 'pair.json'), JSON.stringify(s));
  await t.rejects(pair.addDisk(s, 'server2', 64), /server2 is on: power it off/, 'refused while the box is on');
  await t.rejects(pair.addDisk(s, 'server1', 0), /whole number of MiB/);
  const file = await pair.addDisk(s, 'server1', 64);
  t.equal(file, boxFiles(dir, 'server1').disk2);
  t.ok(fs.existsSync(file), 'the qcow2 file is made');
  t.equal(pair.load().boxes[0].disk2, true, 'recorded in the pair state (the next power-on attaches it)');
  t.notOk(pair.load().boxes[1].disk2, 'the other box unchanged');
  await t.rejects(pair.addDisk(s, 'server1', 64), /already has an added disk/, 'one added disk per box');
});
