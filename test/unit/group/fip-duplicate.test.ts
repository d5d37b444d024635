// The floating IP's duplicate check (seed §12.4.1 return 15) and the netlink/ARP adapter under
// it, between two network namespaces joined by a veth pair: a host that holds the address, or
// is probing for it at the same moment, makes activation refuse within the 20 ms window; the
// probe itself teaches no neighbour anything; the adapter's errors name what and where.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../../src/platform/host';
import { loadNetIf } from '../../../src/platform/netif';
import { FipResource, probeWindow } from '../../../src/resource/fip';
import { ResourceError } from '../../../src/resource/types';
import { resourceDeps, testResource } from '../../helpers/config';
import { platformVia } from '../../helpers/platform';

const host = new HostPlatform({ powerRecord: '' });
const sh = async (file: string, args: string[]) => {
  const r = await host.run(file, args);
  if (r.code) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

t.test('fip duplicate check and the netif adapter on real veths', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (network namespaces)', () => {}); return; }
  const prefix = `${process.env.PAIRHA_LAB_NS || 'pairha'}-unit-dup`;
  const [a, b] = [`${prefix}a`, `${prefix}b`];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-fipdup-'));
  const cleanup = async () => { for (const ns of [a, b]) await host.run('ip', ['netns', 'del', ns]); };
  await cleanup();
  t.teardown(async () => { await cleanup(); fs.rmSync(dir, { recursive: true, force: true }); });
  for (const ns of [a, b]) {
    await sh('ip', ['netns', 'add', ns]);
    await host.run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  await sh('ip', ['link', 'add', 'v0', 'netns', a, 'type', 'veth', 'peer', 'name', 'v1', 'netns', b]);
  for (const [ns, dev, addr] of [[a, 'v0', '10.98.1.1/24'], [b, 'v1', '10.98.1.2/24']]) {
    await sh('ip', ['-n', ns, 'addr', 'add', addr, 'dev', dev]);
    await sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }
  const net = loadNetIf(a);
  const inA = platformVia(host, { run: (f, args, o) => host.run('ip', ['netns', 'exec', a, f, ...args], o), daemon: (f, args, o) => host.daemon('ip', ['netns', 'exec', a, f, ...args], o), net });
  const fip = (address: string) => new FipResource(testResource('fip', `fip-${address.split('.')[3]}`, { address: `${address}/24`, deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: inA }));
  const addrsOf = async (ns: string) => (await sh('ip', ['-n', ns, '-o', '-4', 'addr', 'show'])).split('\n').filter(Boolean).map((l) => /inet (\S+)/.exec(l)?.[1]);
  const macOf = async (ns: string, dev: string) => (JSON.parse(await sh('ip', ['-n', ns, '-j', 'link', 'show', dev])) as Array<{ address: string }>)[0].address;

  t.test('the adapter lists what ip lists', async (t) => {
    const listed = (await net.addresses()).map((x) => `${x.address}/${x.prefix}`).sort();
    t.same(listed, (await addrsOf(a)).sort());
    t.ok((await net.addresses()).some((x) => x.iface === 'v0' && x.address === '10.98.1.1' && x.prefix === 24), 'with the interface');
  });

  t.test('an address another host holds: refused with 15, nothing added, no neighbour taught', async (t) => {
    await sh('ip', ['-n', b, 'addr', 'add', '10.98.1.60/24', 'dev', 'v1']);
    t.equal(await net.probe('v0', '10.98.1.60', probeWindow), await macOf(b, 'v1'), 'the probe names the holder');
    const err = await fip('10.98.1.60').activate('failover').then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof ResourceError, 'activation refused');
    t.equal((err as ResourceError).code, 15);
    t.equal((err as ResourceError).message, 'This ip address was already used. IP=10.98.1.60');
    t.notOk((await addrsOf(a)).includes('10.98.1.60/24'), 'the address was not added');
    // Probes come from 0.0.0.0: the holder learns no entry for a from them (RFC 5227).
    t.notMatch(await sh('ip', ['-n', b, 'neigh', 'show', 'dev', 'v1']), '10.98.1.1 ', 'the holder learnt nothing from the probes');
  });

  t.test('an address another host is probing for at the same moment: refused with 15', async (t) => {
    // b probes for .61 every 2 ms (arping from 0.0.0.0, as a host about to take it would).
    const log = path.join(dir, 'arping-b.log');
    const pid = host.daemon('ip', ['netns', 'exec', b, 'arping', '-q', '-0', '-c', '100000', '-W', '0.002', '-i', 'v1', '10.98.1.61'], { logFile: log });
    t.teardown(() => { host.signal(pid, 'SIGKILL', true); });
    const sent = async () => (JSON.parse(await sh('ip', ['-n', b, '-s', '-j', 'link', 'show', 'v1'])) as Array<{ stats64: { tx: { packets: number } } }>)[0].stats64.tx.packets;
    const s0 = await sent();
    for (let i = 0; i < 200 && (await sent()) < s0 + 3; i++) await new Promise((r) => setTimeout(r, 50));
    t.ok((await sent()) >= s0 + 3, 'b is probing');
    // The window widened from 20 ms to 3 s for this case: b is a process, and under load it
    // can miss 20 ms (seen once in CI at load 8); what is checked is that a probe counts.
    const wide = Object.assign(Object.create(net) as typeof net, { claim: (i: string, addr: string, p: number, w: typeof probeWindow) => net.claim(i, addr, p, { ...w, waitMs: 3000 }) });
    const inAWide = platformVia(host, { run: inA.run, daemon: inA.daemon, net: wide });
    const r = new FipResource(testResource('fip', 'fip-61', { address: '10.98.1.61/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: inAWide }));
    const err = await r.activate('failover').then(() => undefined, (e: unknown) => e);
    t.equal((err as ResourceError).code, 15, 'refused: someone else is claiming it');
    t.notOk((await addrsOf(a)).includes('10.98.1.61/24'), 'the address was not added');
  });

  t.test('a free address: added, announced; given up again', async (t) => {
    const r = fip('10.98.1.62');
    await r.activate('failover');
    t.ok((await addrsOf(a)).includes('10.98.1.62/24'), 'the address is on v0');
    t.equal(await loadNetIf(b).probe('v1', '10.98.1.62', probeWindow), await macOf(a, 'v0'), 'and a now answers for it');
    await r.activate('failover');
    t.pass('activating again where it is already held is a no-op');
    await r.deactivate('stop');
    t.notOk((await addrsOf(a)).includes('10.98.1.62/24'), 'the address is gone');
    t.equal(await loadNetIf(b).probe('v1', '10.98.1.62', probeWindow), undefined, 'nobody answers for it');
  });

  t.test('the adapter names what failed and where', async (t) => {
    await t.rejects(net.add('nosuch0', '10.98.1.70', 24), { code: 'ENODEV', message: 'nosuch0: interface: No such device' });
    await t.rejects(net.add('v0', '10.98.1.1', 24), { code: 'EEXIST', message: 'v0: add address: File exists' });
    await t.rejects(net.remove('v0', '10.98.1.71', 24), { code: 'EADDRNOTAVAIL', message: 'v0: delete address: Cannot assign requested address' });
    await t.rejects(net.probe('v0', '10.98.1.300', probeWindow), { message: 'address must be a dotted IPv4 address' });
    await t.rejects(net.add('v0', '10.98.1.70', 33), { message: /prefix 0-32/ });
    await t.rejects(loadNetIf(`${prefix}-none`).addresses(), { message: `enter network namespace /run/netns/${prefix}-none: No such file or directory` });
    await t.rejects(loadNetIf(a, path.join(dir, 'missing.node')).addresses(), { message: new RegExp(`^netif addon ${dir}/missing.node: `) });
  });

  t.test('where ARP cannot probe (an interface without ARP), ping asks instead', async (t) => {
    const noArp = platformVia(inA, { net: { ...net, claim: () => Promise.reject(Object.assign(new Error('v0: interface does no ARP: Operation not supported'), { errno: 95, stage: 'probe', iface: 'v0' })) } });
    const held = new FipResource(testResource('fip', 'fipp', { address: '10.98.1.60/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: noArp }));
    await t.rejects(held.activate('start'), { code: 15, message: 'This ip address was already used. IP=10.98.1.60' }, 'b answers ping for .60');
    const free = new FipResource(testResource('fip', 'fipq', { address: '10.98.1.63/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: noArp }));
    await free.activate('start');
    t.ok((await addrsOf(a)).includes('10.98.1.63/24'), 'nobody answers ping for .63: added');
    await free.deactivate('stop');
  });

  t.test('no interface for the address is return 17', async (t) => {
    const r = new FipResource(testResource('fip', 'fipz', { address: '10.97.0.5/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: inA }));
    await t.rejects(r.activate('start'), { code: 17, message: 'Fip interface was not found.' }, 'no address of 10.97.0.0/24 here');
    const named = new FipResource(testResource('fip', 'fipw', { address: '10.98.1.90/24', interface: 'nosuch0', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: inA }));
    await t.rejects(named.activate('start'), { code: 17, message: 'Fip interface was not found.' }, 'the configured interface does not exist');
  });

  t.test('a fip whose lookup fails is return 14, whose change fails is an internal error', async (t) => {
    const broken = platformVia(inA, { net: loadNetIf(`${prefix}-none`) });
    const r = new FipResource(testResource('fip', 'fipx', { address: '10.98.1.80/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: broken }));
    await t.rejects(r.activate('start'), { code: 14, message: 'IP address did not exist.' });
    const noAdd = platformVia(inA, { net: { ...net, claim: () => Promise.reject(Object.assign(new Error('v0: add address: Permission denied'), { errno: 1, stage: 'add', iface: 'v0' })) } });
    const r2 = new FipResource(testResource('fip', 'fipy', { address: '10.98.1.81/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: noAdd }));
    await t.rejects(r2.activate('start'), { code: 1, message: 'Internal error. (status=1: v0: add address: Permission denied)' });
  });
});
