// The virtual pair's wiring as read from a configuration, and the qemu command line: pure
// functions, no qemu needed.
import * as fs from 'node:fs';
import t from 'tap';
import { parseConfig } from '../../src/config/load';
import { shellQuote } from '../../src/host/vm/agent';
import { defaultPairConfig } from '../../src/host/pair/pair';
import { boxFiles, qemuArgs, tapName } from '../../src/host/pair/qemu';
import { linksOf, PairError, topology } from '../../src/host/pair/topology';

const text = fs.readFileSync(defaultPairConfig, 'utf8');
const conf = (s: string) => parseConfig(s, '/tmp/test.conf');

t.test('the example configuration: two LANs, the public one with the floating IP, a COM cable', async (t) => {
  const top = topology(conf(text));
  t.same(top.servers, ['server1', 'server2']);
  t.same(top.lans.map((l) => [l.name, l.index, l.subnet, l.public, l.mirror]), [
    ['lanhb1', 0, '192.168.100', false, true],
    ['lanhb2', 1, '10.0.0', true, false],
  ], 'lanhb2 carries fip1 (10.0.0.100), lanhb1 is the interconnect and the mirror link');
  t.equal(top.com, 'comhb1');
  t.same(top.client, { lan: 'lanhb2', address: '10.0.0.254' }, 'the client sits at the ipw target');
  t.same(linksOf(top, 'mirror').lans.map((l) => l.name), ['lanhb1']);
  t.same(linksOf(top, 'all'), { lans: top.lans, com: true });
  t.same(linksOf(top, 'comhb1'), { lans: [], com: true });
  t.throws(() => linksOf(top, 'lanhb9'), new PairError("unknown link 'lanhb9' (lanhb1, lanhb2, comhb1, mirror, all)"));
});

t.test('configurations the pair cannot wire are refused precisely', async (t) => {
  t.throws(() => topology(conf(text.replace(/server2 = \/dev\/ttyS1/, 'server2 = /dev/ttyS0'))), /comhb1: the cable is on \/dev\/ttyS1 of each box, not \/dev\/ttyS0/);
  t.throws(() => topology(conf(text.replace('server2 = 10.0.0.2', 'server2 = 10.0.1.2'))), /lanhb2: both servers need an address in one \/24/);
});

t.test('qemu: TCG, NIC i on LAN heartbeat i at a fixed slot, COM on the second serial port', async (t) => {
  const top = topology(conf(text));
  const a = qemuArgs(top, { index: 1, server: 'server2', files: boxFiles('/run/p', 'server2'), imageDir: '/img', memoryMb: 512 });
  t.equal(a[a.indexOf('-accel') + 1], 'tcg');
  const serials = a.flatMap((x, i) => (x === '-serial' ? [a[i + 1]] : []));
  t.same(serials, ['chardev:con', 'chardev:com'], 'ttyS0 console, ttyS1 COM cable');
  const nics = a.filter((x) => x.startsWith('virtio-net-pci'));
  t.match(nics[0], /netdev=lanhb1,.*addr=03$/);
  t.match(nics[1], /netdev=lanhb2,.*addr=04$/);
  t.ok(a.includes(`tap,id=lanhb2,ifname=${tapName(1, 1)},script=no,downscript=no`), 'taps named per LAN and box');
  t.match(a[a.indexOf('-append') + 1], /pairha\.agent=pairha\.agent/);
});

t.test('commands are quoted for the box\'s shell', async (t) => {
  t.equal(shellQuote(['clpstat', '-n']), 'clpstat -n');
  t.equal(shellQuote(['sh', '-c', "echo 'a b'; ls"]), `sh -c 'echo '\\''a b'\\''; ls'`);
});
