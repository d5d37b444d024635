// The old-vs-new comparison that names a change's reflect method (seed §6.1), and the generation.
import t from 'tap';
import { generationOf, withGeneration } from '../../../src/config/generation';
import { diffConfigs, reflectOf } from '../../../src/config/reflect';
import { iniText, type Section } from '../../helpers/config';

const base: Section[] = [
  ['cluster', { name: 'c', key_file: 'cluster.key', generation: 4 }],
  ['timeouts', { hb_interval: 1000, hb_timeout: 5000 }],
  ['server server1', {}], ['server server2', {}],
  ['heartbeat lanhb1', { type: 'lanhb', server1: '10.0.0.1', server2: '10.0.0.2' }],
  ['group g1', { servers: 'server1,server2' }],
  ['resource exec1', { type: 'exec', group: 'g1', start: '/bin/true', stop: '/bin/true' }],
  ['resource md1', { type: 'md', group: 'g1', nmp: 1, data_partition: '/dev/vdb1', cluster_partition: '/dev/vdb2', mount_point: '/mnt/md', data_port: 29051, server1: '10.0.1.1', server2: '10.0.1.2' }],
];
const edit = (name: string, keys: Record<string, string | number | undefined>): string =>
  iniText(base.map(([n, k]) => [n, n === name ? Object.fromEntries(Object.entries({ ...k, ...keys }).filter(([, v]) => v !== undefined)) as Record<string, string | number> : k]));
const old = iniText(base);

t.test('each change needs the method of its key; the strongest wins', async (t) => {
  const cases: Array<[string, Record<string, string | number | undefined>, string, string[]]> = [
    ['cluster', { comment: 'hello' }, 'upload', []],
    ['cluster', { generation: 9 }, 'upload', []],
    ['timeouts', { hb_timeout: 9000 }, 'suspend', []],
    ['timeouts', { hb_interval: 500 }, 'suspend', []],
    ['timeouts', { start_sync_wait: 1000 }, 'daemon', []],
    ['timeouts', { internal: 1000 }, 'reboot', []],
    ['resource exec1', { timeout: 5000 }, 'daemon', []],
    ['resource md1', { fsck: 'never' }, 'reboot', []],
    ['heartbeat lanhb1', { server2: '10.0.0.3' }, 'reboot', []],
    ['group g1', { auto_failback: 'true' }, 'daemon', []],
    ['cluster', { name: 'other' }, 'reboot', []],
  ];
  for (const [section, keys, method, extras] of cases) {
    const d = diffConfigs(old, edit(section, keys));
    t.equal(d.method, method, `[${section}] ${Object.keys(keys).join(',')}: ${method}`);
    t.same(d.extras, extras);
    t.equal(d.changes.length, Object.keys(keys).length, 'one change per key');
  }
  const side = diffConfigs(old, iniText([...base, ['alert', { sync: 'false' }], ['ports', { manager: 29010 }]]));
  t.equal(side.method, 'upload', 'alert sync and the web manager are restarts beside the main method');
  t.same(side.extras.sort(), ['alertsync', 'webmgr']);
  const both = diffConfigs(old, iniText([...base.slice(0, 1), ['timeouts', { hb_interval: 1000, hb_timeout: 7000 }], ...base.slice(2), ['alert', { sync: 'false' }]]));
  t.equal(both.method, 'suspend');
  t.same(both.extras, ['alertsync']);
  const reboot = diffConfigs(old, iniText([...base.filter(([n]) => n !== 'resource exec1'), ['alert', { sync: 'false' }]]));
  t.equal(reboot.method, 'daemon', 'a removed section counts as its keys');
  t.equal(diffConfigs(old, old).changes.length, 0, 'no change, nothing to do');
  t.equal(diffConfigs(old, old).method, 'upload');
  t.equal(diffConfigs(old, old.replace('[server server2]', '[server  server2]')).changes.length, 0, 'spacing in a header is no change');
});

t.test('a section that changes type changes every key', async (t) => {
  const d = diffConfigs(old, edit('resource exec1', { type: 'raw', start: undefined, stop: undefined, device: '/dev/sdc' }));
  t.equal(d.method, 'daemon');
  t.ok(d.changes.some((c) => c.key === 'group'), 'even the keys that stayed the same');
  t.equal(reflectOf('monitor m1', 'interval', 'ipw'), 'daemon');
  t.equal(reflectOf('nosuch', 'x', undefined), 'reboot', 'an unknown section needs the strongest method');
});

t.test('generation: read, written in place or added, never a crash on bad text', async (t) => {
  t.equal(generationOf(old), 4);
  t.equal(generationOf('[cluster]\nname = c\n'), 0, 'absent: 0');
  t.equal(generationOf('[cluster]\ngeneration = -3\n'), 0, 'invalid: 0 (the loader reports it)');
  t.equal(generationOf('garbage [[[\n'), 0);
  const w = withGeneration(old, 5);
  t.equal(generationOf(w), 5);
  t.equal(w.split('\n').length, old.split('\n').length, 'replaced in place');
  const added = withGeneration('; head\n[cluster]\nname = c\n', 2);
  t.equal(added, '; head\n[cluster]\ngeneration = 2\nname = c\n', 'added after the header, comments kept');
  t.equal(generationOf(withGeneration('[server s]\n', 7)), 7, 'no [cluster]: one is added');
});
