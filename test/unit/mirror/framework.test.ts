// The md resource and the mdw/mdnw checks as the group and monitor roles see them: the
// agent's failures become the seed's return codes (§12.4.4, §12.5.6-7).
import t from 'tap';
import { mdError } from '../../../src/mirror/errors';
import type { MirrorPort } from '../../../src/core/mirror-port';
import { checks } from '../../../src/monitor';
import { nullLogger } from '../../../src/logger';
import { createResource, ResourceError } from '../../../src/resource';
import { resourceDeps, resourceSection, testMonitor, testResource } from '../../helpers/config';
import { stubPlatform } from '../../helpers/platform';

const cfg = testResource('md', 'md1');
const calls: string[] = [];
const port = (over: Partial<MirrorPort> = {}): MirrorPort => ({
  running: true,
  activate: async (r, mount) => { calls.push(`activate ${r} ${mount}`); },
  deactivate: async (r) => { calls.push(`deactivate ${r}`); },
  mdw: async (r, up) => (up ? { code: 63, message: `Local mirror disk is abnormal. (${r})` } : undefined),
  mdnw: () => ({ code: 31, message: 'Network was interrupted' }),
  ...over,
});
const deps = (mirror?: MirrorPort) => ({ ...resourceDeps(), mirror });

t.test('md resource', async (t) => {
  await createResource(cfg, deps(port())).activate('start');
  await createResource(cfg, deps(port())).deactivate('stop');
  t.same(calls, ['activate md1 true', 'deactivate md1']);
  await t.rejects(createResource(cfg, deps(port({ activate: async () => { throw mdError(81, 'md1'); } }))).activate('failover'),
    new ResourceError(81, 'The local server has not the latest data.(md1)'));
  await t.rejects(createResource(cfg, deps()).activate('start'), { code: 1, message: 'Need to start mirror agent at first.' });
  await t.rejects(createResource(cfg, deps(port({ running: false }))).activate('start'), { code: 1 });
});

t.test('mdw and mdnw checks', async (t) => {
  const m = (type: 'mdw' | 'mdnw') => testMonitor(type, `${type}1`, { resource: 'md1' }, [resourceSection('md', 'md1')]);
  const d = (mirror?: MirrorPort, up = true) => ({ platform: stubPlatform(), log: nullLogger, pidOf: () => undefined, mirror, peerUp: () => up });
  t.same(await checks.mdw!(m('mdw'), d(port())).run(), { code: 63, message: 'Local mirror disk is abnormal. (md1)' });
  t.equal(await checks.mdw!(m('mdw'), d(port(), false)).run(), undefined, 'peerUp is passed through');
  t.same(await checks.mdnw!(m('mdnw'), d(port())).run(), { code: 31, message: 'Network was interrupted' });
  t.same(await checks.mdw!(m('mdw'), d()).run(), { code: 1, message: 'Need to start mirror agent at first.' });
});
