import t from 'tap';
import type { ResourceType } from '../../../src/config/types';
import { activationOrder } from '../../../src/group/order';
import { firstLive, keeper } from '../../../src/group/placement';
import { testResource } from '../../helpers/config';

// depends_on as given, even on resources the parser would refuse: the order is checked alone.
const res = (name: string, type: ResourceType, dependsOn: string[] = []) => ({ ...testResource(type, name), dependsOn });

t.test('default order: fip, then disk/raw, then exec, stable on file order', async (t) => {
  const order = activationOrder([res('e1', 'exec'), res('d1', 'disk'), res('f1', 'fip'), res('r1', 'raw'), res('f2', 'fip')]);
  t.same(order.map((r) => r.name), ['f1', 'f2', 'd1', 'r1', 'e1']);
});

t.test('depends_on overrides the default; a cycle is an error naming its members', async (t) => {
  t.same(activationOrder([res('f1', 'fip', ['e1']), res('e1', 'exec', ['d1']), res('d1', 'disk', ['x'])]).map((r) => r.name), ['d1', 'e1', 'f1']);
  t.throws(() => activationOrder([res('a', 'exec', ['b']), res('b', 'exec', ['a'])]), /cycle: a, b/);
});

t.test('placement: first live server of the policy; exactly one keeper of a doubly active group', async (t) => {
  const up = new Set(['s2', 's3']);
  t.equal(firstLive(['s1', 's2', 's3'], (s) => up.has(s)), 's2');
  t.equal(firstLive(['s1', 's2', 's3'], (s) => up.has(s), ['s2']), 's3');
  t.equal(firstLive(['s1'], (s) => up.has(s)), undefined);
  const order = ['server1', 'server2', 'server3'];
  t.equal(keeper(['server2', 'server1'], order), 'server1');
  t.equal(keeper(['server1', 'server2'], order), 'server1', 'same answer whichever side asks');
  t.equal(keeper(['server3', 'server2'], order), 'server2');
});
