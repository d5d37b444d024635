// The clp* commands of issue 2 against a running lab, and the control channels' security.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { requestOf } from '../../src/control/op';
import { pmOps } from '../../src/pm/protocol';
import { nsOf } from '../../src/host/lab/lab';
import { isRoot, sleep, startLab } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }

t.test('clpcl, clptoratio and suspend/resume across the pair', async (t) => {
  const { lab, s, clp, view } = await startLab(t);

  const sock = path.join(s.servers[0].root, 'run', 'pairha.sock');
  t.equal(fs.statSync(sock).mode & 0o777, 0o600, 'control socket is 0600');
  t.equal(fs.statSync(path.dirname(sock)).mode & 0o777, 0o700, 'its directory is 0700');

  let r = await clp('server1', 'clptoratio', '-r', '3', '-t', '1h');
  t.equal(r.code, 0, r.err);
  for (const srv of ['server1', 'server2']) t.equal((await view(srv)).ratio.value, 3, `ratio 3 on ${srv}`);
  t.match((await clp('server2', 'clptoratio', '-s')).out, /present toratio : 3/);
  t.equal((await clp('server2', 'clptoratio', '-i')).code, 0);
  for (const srv of ['server1', 'server2']) t.equal((await view(srv)).ratio.value, 1, `ratio restored on ${srv}`);

  r = await clp('server1', 'clptoratio', '-r', 'x', '-t', '1h');
  t.equal(r.code, 2);
  t.match(r.err, /invalid ratio 'x'/);
  t.match((await clp('server1', 'clptoratio', '-r', '2', '-t', '1w')).err, /invalid period '1w'/);
  t.match((await clp('server1', 'clpcl', '-s', '-t')).err, /exactly one of -s, -t/);

  // Suspension: heartbeats stop, nobody is declared down (seed §6.1.4).
  t.equal((await clp('server1', 'clpcl', '--suspend')).code, 0);
  t.equal((await view('server2')).suspended, true, 'suspended on the peer too');
  await sleep(2000); // twice the lab's heartbeat timeout
  t.equal((await view('server1')).servers[1].status, 'Online', 'no server down while suspended');
  t.equal((await clp('server2', 'clpcl', '--resume')).code, 0);
  await sleep(1500);
  t.equal((await view('server1')).servers[1].status, 'Online', 'heartbeats resume');

  // Stop both daemons from one server, start them again (seed §6.1.5).
  t.equal((await clp('server1', 'clpcl', '-t', '-a')).code, 0);
  t.match((await clp('server2', 'clpstat')).err, /not running/);
  t.equal((await clp('server2', 'clpcl', '-s', '-a')).code, 0);
  await lab.waitOnline(s, 10000);
  t.pass('both Online again after clpcl -s -a');
});

t.test('the server-to-server channel refuses a wrong key and garbage', async (t) => {
  const { lab, s } = await startLab(t);
  const key = fs.readFileSync(path.join(s.dir, 'cluster.key'));
  // From server2's namespace, the only place server1's interconnect address is reachable.
  const script = (k: string) => `
    const { PeerClient } = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'dist', 'control', 'peer.js'))});
    new PeerClient('server2', () => ['10.77.1.1'], 29001, Buffer.from('${k}', 'hex'), 3000)
      .request('server1', ${JSON.stringify(requestOf(pmOps.status, {}))}).then((r) => console.log('OK', JSON.stringify(r)), (e) => console.log('ERR', e.message));`;
  const run = (k: Buffer) => lab['os'].run('ip', ['netns', 'exec', nsOf('server2'), process.execPath, '-e', script(k.toString('hex'))], { timeoutMs: 20000 });
  t.match((await run(key)).stdout, /^OK .*"daemon":"running"/, 'the cluster key is accepted');
  t.match((await run(randomBytes(32))).stdout, /^ERR server server1 (cannot be reached|gave no answer) .*(closed|reset|authentication)/, 'a wrong key is refused');
  const garbage = `const n=require('net');let i=0;(function go(){if(i++>=200)return;const c=n.connect(29001,'10.77.1.1',()=>{c.end(require('crypto').randomBytes(i*7));});c.on('error',()=>{});c.on('close',go);})();`;
  await lab['os'].run('ip', ['netns', 'exec', nsOf('server2'), process.execPath, '-e', garbage], { timeoutMs: 60000 });
  t.match((await run(key)).stdout, /^OK/, 'still serving after 200 garbage connections');
});

t.test('the alert log is synchronised over 29003/UDP: clpalert on one server shows the other\'s events', async (t) => {
  const { lab, s, clp } = await startLab(t);
  // server2's daemon stop and start raise pm 2 and pm 1 on server2 only.
  t.equal((await clp('server1', 'clpcl', '-t', '-h', 'server2')).code, 0);
  t.equal((await clp('server1', 'clpcl', '-s', '-h', 'server2')).code, 0);
  await lab.waitOnline(s, 10000);
  let out = '';
  for (let i = 0; i < 50 && !/ server2 pm INFO 1 /.test(out.split('\n').slice(-5).join('\n')); i++) {
    await sleep(100);
    out = (await clp('server1', 'clpalert')).out;
  }
  t.match(out, / server2 pm INFO 2 Cluster daemon is shutting down\.\.\./, 'server2\'s stop is in server1\'s alert log');
  t.match(out, / server2 pm INFO 1 Cluster daemon has started properly\.\.\./, 'and its start');
});
