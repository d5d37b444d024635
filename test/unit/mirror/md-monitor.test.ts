// mdw (§12.5.6) and mdnw (§12.5.7): return codes and messages as a table.
import t from 'tap';
import { mdnwCheck, mdwCheck, type MdwInput } from '../../../src/mirror/md-monitor';
import { st } from '../../helpers/mirror';

const base: MdwInput = { resource: 'md1', agentRunning: true, local: st(), peer: st(), peerUp: true };
const brk = { state: 'BREAK' as const, gen: 6, peerGen: 5, dirty: 9 };
const rows: Array<[string, Partial<MdwInput>, number | undefined, string?]> = [
  ['normal', {}, undefined],
  ['agent stopped', { agentRunning: false }, 1, 'Need to start mirror agent at first.'],
  ['not constructed', { local: st({ state: 'STALE', gen: 1 }) }, 58, 'Local mirror disk status is unknown or not constructed.(md1)'],
  ['not bound', { local: st({ bound: false }) }, 58],
  ['peer up, agent silent', { peer: undefined }, 51, 'Remote driver status is unknown.'],
  ['peer down', { peer: undefined, peerUp: false }, undefined],
  ['local disk error', { local: st({ diskErr: true }) }, 53, 'Local driver is abnormal.'],
  ['remote disk error', { peer: st({ diskErr: true }) }, 52, 'Remote driver is abnormal.'],
  ['both disk errors', { local: st({ diskErr: true }), peer: st({ diskErr: true }) }, 54, 'Both drivers are abnormal.'],
  ['active on both', { local: st({ port: 'open' }), peer: st({ port: 'open' }) }, 66, 'Mirror disk was activated on both servers.(md1)'],
  ['recovering', { local: st({ state: 'RECOVERING', recovery: 'recv' }) }, 100, 'The recovery is in progress. (md1)'],
  ['local outdated', { peer: st(brk) }, 63, 'Local mirror disk is abnormal. (md1)'],
  ['remote outdated', { local: st(brk) }, 64, 'Remote mirror disk is abnormal.(md1)'],
  ['both written', { local: st(brk), peer: st(brk) }, 65, 'Both mirror disks are abnormal.(md1)'],
];

t.test('mdw', async (t) => {
  for (const [name, over, code, msg] of rows) {
    const r = mdwCheck({ ...base, ...over });
    t.equal(r?.code, code, name);
    if (msg) t.equal(r?.message, msg, `${name}: message`);
  }
});

t.test('mdnw', async (t) => {
  t.equal(mdnwCheck({ agentRunning: true, local: st() }), undefined);
  t.same(mdnwCheck({ agentRunning: true, local: st({ conn: 'disconnected' }) }), { code: 31, message: 'Network was interrupted' });
  t.same(mdnwCheck({ agentRunning: true, local: st({ conn: 'connecting' }) })?.code, 31);
  t.same(mdnwCheck({ agentRunning: false, local: st() })?.code, 1);
  t.same(mdnwCheck({ agentRunning: true, local: undefined })?.code, 5);
});
