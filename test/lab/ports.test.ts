// The runtime's ports under hostile traffic in the lab (issue 13, defect 6 and "every port"):
// the client host (10.77.1.254, on the lanhb1 interconnect) floods server1's peer channel
// (29001) with thousands of connections and its heartbeat and alert sync ports (29002, 29003)
// with noise, while server2 keeps talking to server1. The runtime process of server1 stays up,
// its descriptors and RSS stay bounded, and server2's requests are served during and after.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { requestOf } from '../../src/control/op';
import { clientNs, nsOf } from '../../src/host/lab/lab';
import { pmOps } from '../../src/pm/protocol';
import { flood, udpNoiseScript } from '../helpers/flood';
import { isRoot, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }

const fds = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;
const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

t.test('a flood on 29001, 29002 and 29003 from another host: server1 stays up and bounded, server2 is served', async (t) => {
  const { lab, s, view } = await startLab(t);
  const pid = s.servers[0].pid!;
  // `ip netns exec` execs node: the pid the lab keeps is the runtime's.
  t.equal(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'node');
  const key = fs.readFileSync(path.join(s.dir, 'cluster.key'));
  const peerScript = `
    const { PeerClient } = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'dist', 'control', 'peer.js'))});
    new PeerClient('server2', () => ['10.77.1.1'], 29001, Buffer.from('${key.toString('hex')}', 'hex'), 10000)
      .request('server1', ${JSON.stringify(requestOf(pmOps.status, {}))}).then((r) => console.log('OK', JSON.stringify(r)), (e) => console.log('ERR', e.message));`;
  const fromServer2 = async () => (await lab['os'].run('ip', ['netns', 'exec', nsOf('server2'), process.execPath, '-e', peerScript], { timeoutMs: 30000 })).stdout;
  t.match(await fromServer2(), /^OK .*"daemon":"running"/, 'server2 is served before the flood');
  const before = { fds: fds(pid), rss: rss(pid) };

  const f = flood({ host: '10.77.1.1', port: 29001, sources: [s.client!], count: 3000, op: pmOps.power.name, netns: clientNs() });
  t.teardown(() => f.stop());
  await f.ready;
  const during = { fds: fds(pid), rss: rss(pid) };
  t.match(await fromServer2(), /^OK .*"daemon":"running"/, 'server2 is served during the flood (its address has a pool of its own)');
  await f.stop();
  t.ok(during.fds - before.fds <= 80, `descriptors during the flood bounded: +${during.fds - before.fds}`);

  const noise = await lab['os'].run('ip', ['netns', 'exec', clientNs(), process.execPath, '-e', udpNoiseScript, JSON.stringify({ host: '10.77.1.1', ports: [29002, 29003], count: 20000 })], { timeoutMs: 120000 });
  t.equal(noise.code, 0, `20,000 random datagrams sent to 29002 and 29003 ${noise.stderr}`);

  // Held connections end at their 5 s deadline at the latest.
  await until(async () => fds(pid) <= before.fds + 4, 20000, `server1's descriptors back near ${before.fds} (now ${fds(pid)})`);
  t.pass(`descriptors after the flood: ${fds(pid)} (before ${before.fds})`);
  t.ok(rss(pid) - before.rss < 96 << 20, `server1's RSS bounded: +${((rss(pid) - before.rss) / 1048576).toFixed(1)} MiB (during the flood +${((during.rss - before.rss) / 1048576).toFixed(1)})`);
  t.ok(fs.existsSync(`/proc/${pid}`), 'server1\'s runtime is still running');
  t.match(await fromServer2(), /^OK .*"daemon":"running"/, 'server2 is served after the flood');
  for (const srv of ['server1', 'server2']) {
    await until(async () => (await view(srv)).servers.every((x) => x.status === 'Online'), 20000, `${srv} seeing both Online`);
    t.pass(`${srv} sees both Online after the noise`);
  }
});
