import t from 'tap';
import { formatHeartbeatStatus } from '../../src/cli/format-status';
import type { HbCell, MembershipView } from '../../src/nm/types';
import { clpstatSamples } from '../helpers/seed';

const hbs = ['lanhb1', 'lanhb2', 'diskhb1', 'comhb1'].map((name, index) => ({ name, index, type: name.replace(/\d+$/, '') }));
const row = (c: HbCell): HbCell[] => [c, c, c, c];

function view(local: string, partitioned: boolean): MembershipView {
  const me = local === 'server1' ? 0 : 1;
  const servers = ['server1', 'server2'].map((name, index) => ({ name, index, status: (!partitioned || index === me ? 'Online' : 'Offline') as 'Online' | 'Offline' }));
  const matrix = [0, 1].map((obs) => (partitioned
    ? (obs === me ? [0, 1].map((s) => row(s === me ? 'o' : 'x')) : [row('-'), row('-')])
    : [row('o'), row('o')]));
  return { cluster: 'cluster', local, servers, heartbeats: hbs, matrix, ratio: { value: 1 }, timeoutMs: 90000, suspended: false };
}

t.test('clpstat -n reproduces the four layouts of seed §11.5', async (t) => {
  const samples = clpstatSamples();
  t.equal(samples.length, 4, 'four samples in the seed');
  t.equal(formatHeartbeatStatus(view('server1', false)), samples[0], 'normal, on server1');
  t.equal(formatHeartbeatStatus(view('server2', false)), samples[1], 'normal, on server2');
  t.equal(formatHeartbeatStatus(view('server1', true)), samples[2], 'partitioned, on server1');
  t.equal(formatHeartbeatStatus(view('server2', true)), samples[3], 'partitioned, on server2');
});
