// The web manager's port (29003/TCP) under a connection flood (issue 13: "flooded traffic on
// every port"): 3000 connections from the client host, silent, garbage or oversized (none a
// TLS handshake), while an operator on server2's interconnect address uses the API. The
// manager stays up, holds a bounded number of descriptors and serves the operator during and
// after the flood; the runtime beside it is untouched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { clientNs, nsOf } from '../../src/host/lab/lab';
import { HostPlatform } from '../../src/platform/host';
import { webLimits } from '../../src/web/server';
import { flood } from '../helpers/flood';
import { isRoot, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }

const repo = path.resolve(__dirname, '..', '..');
const fds = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

t.test('a flood on 29003/TCP: the web manager stays up and bounded, an operator elsewhere is served', async (t) => {
  const { lab, s, view } = await startLab(t);
  const srv = s.servers[0];
  const os = new HostPlatform({ powerRecord: '' });
  const env = lab.env(s, 'server1');
  const pgid = os.daemon('ip', ['netns', 'exec', srv.ns, process.execPath, path.join(repo, 'dist', 'web', 'main.js')], { env, logFile: path.join(srv.root, 'webmgr.log') });
  t.teardown(() => { os.signal(pgid, 'SIGTERM', true); });
  const pidFile = path.join(srv.root, 'run', 'webmgr.pid');
  await until(async () => fs.existsSync(pidFile), 20000, 'the web manager listening');
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  const port = lab.config(s).ports.manager;

  // The operator: an HTTPS request from server2's namespace (10.77.1.2), not logged in: 401.
  const probe = `require('node:https').get({ host: '10.77.1.1', port: ${port}, path: '/api/cluster', rejectUnauthorized: false, timeout: 10000 }, (r) => { console.log('STATUS', r.statusCode); r.resume(); }).on('error', (e) => console.log('ERR', e.message)).on('timeout', function () { console.log('ERR timeout'); this.destroy(); });`;
  const operator = async () => (await os.run('ip', ['netns', 'exec', nsOf('server2'), process.execPath, '-e', probe], { timeoutMs: 30000 })).stdout.trim();
  t.equal(await operator(), 'STATUS 401', 'the operator is answered before the flood');
  const before = fds(pid);

  const f = flood({ host: '10.77.1.1', port, sources: [s.client!], count: 3000, op: 'none', kinds: ['silent', 'garbage', 'oversize', 'malformed'], netns: clientNs() });
  t.teardown(() => f.stop());
  await f.ready;
  const during = fds(pid);
  t.equal(await operator(), 'STATUS 401', 'the operator is answered during the flood');
  t.ok(during - before <= webLimits.perSource + 4, `descriptors during the flood bounded: +${during - before} (${webLimits.perSource} a source)`);
  await f.stop();

  // Silent connections end at the handshake deadline at the latest.
  await until(async () => fds(pid) <= before + 2, 30000, `the manager's descriptors back near ${before} (now ${fds(pid)})`);
  t.pass(`descriptors after the flood: ${fds(pid)} (before ${before})`);
  t.ok(fs.existsSync(`/proc/${pid}`), 'the web manager is still running');
  t.equal(await operator(), 'STATUS 401', 'the operator is answered after the flood');
  t.ok((await view('server1')).servers.every((x) => x.status === 'Online'), 'the runtime beside it still sees both servers Online');
});
