// The panel state from the runtime's live state: error from groups and resources, warning
// from the membership view and monitors, the mirror's colour from the local driver.
import t from 'tap';
import { mirrorState, panelState, type LiveState } from '../../../src/leds';
import type { MembershipView } from '../../../src/nm/types';
import { st } from '../../helpers/mirror';

const view = (s2: 'Online' | 'Offline', com: 'o' | 'x'): MembershipView => ({
  cluster: 'c', local: 'server1', ratio: { value: 1 }, timeoutMs: 90000, suspended: false,
  servers: [{ name: 'server1', index: 0, status: 'Online' }, { name: 'server2', index: 1, status: s2 }],
  heartbeats: [{ name: 'lanhb1', index: 0, type: 'lanhb' }, { name: 'comhb1', index: 1, type: 'comhb' }],
  matrix: [[['o', 'o'], ['o', com]], [['o', 'o'], ['o', 'o']]],
});
const live = (over: Partial<LiveState> = {}): LiveState => ({ daemon: true, view: view('Online', 'o'), groups: [], monitors: [{ state: 'Normal' }], ...over });
const group = (state: 'Online' | 'Error', resource: 'Online' | 'Error' = 'Online') => ({ name: 'failover1', state, resources: [{ name: 'fip1', type: 'fip', state: resource }] });

t.test('status', async (t) => {
  t.same(panelState(live()), { daemon: true, status: 'normal', mirror: 'none' }, 'all up, no md resource');
  t.equal(panelState(live({ view: view('Online', 'x') })).status, 'warning', 'a heartbeat down');
  t.equal(panelState(live({ view: view('Offline', 'x') })).status, 'warning', 'the other server down');
  t.equal(panelState(live({ monitors: [{ state: 'Normal' }, { state: 'Error' }] })).status, 'warning', 'a monitor in error');
  t.equal(panelState(live({ groups: [group('Error')] })).status, 'error', 'a group in error');
  t.equal(panelState(live({ groups: [group('Online', 'Error')], view: view('Offline', 'x') })).status, 'error', 'a resource in error wins over a warning');
  t.same(panelState(live({ daemon: false, view: undefined })), { daemon: false, status: 'error', mirror: 'none' }, 'daemon stopped');
});

t.test('mirror', async (t) => {
  t.equal(mirrorState(undefined), 'none', 'no md resource');
  t.equal(mirrorState({ running: true, disks: [st()] }), 'green');
  t.equal(mirrorState({ running: true, disks: [st(), st({ nmp: 2, color: 'YELLOW', state: 'RECOVERING', recovery: 'diff-send' })] }), 'recovering', 'one disk recovering');
  t.equal(mirrorState({ running: true, disks: [st({ recovery: 'recv' })] }), 'recovering', 'receiving a recovery');
  t.equal(mirrorState({ running: true, disks: [st({ color: 'YELLOW' }), st({ nmp: 2, color: 'RED', state: 'BREAK' })] }), 'red', 'RED wins');
  t.equal(mirrorState({ running: true, disks: [st({ diskErr: true })] }), 'red', 'disk I/O error');
  t.equal(mirrorState({ running: true, disks: [undefined] }), 'red', 'not bound in the driver');
  t.equal(mirrorState({ running: true, disks: [st({ bound: false, color: '--' })] }), 'red', 'unbound');
  t.equal(mirrorState({ running: false, disks: [st()] }), 'red', 'the mirror agent is not running');
});
