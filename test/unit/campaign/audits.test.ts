// Every audit on synthetic observations: it passes on a healthy pair and fails, naming what
// and where, on each kind of bad one.
import t from 'tap';
import * as a from '../../../src/host/campaign/audits';
import type { Observation, ServerView } from '../../../src/host/campaign/target';

const view = (name: string, more: Partial<ServerView> = {}): ServerView => ({
  name, up: true, activeGroups: [], mounted: [], newLogLines: [], coreFiles: [], configHash: 'abc', rssKb: 60000, openFds: 30,
  clpstat: { servers: { server1: 'Online', server2: 'Online' }, groups: { failover1: 'server1' } }, ...more,
});
const healthy = (): Observation => ({
  at: 0, servers: [view('server1', { activeGroups: ['failover1'] }), view('server2')], fipAnswers: { '10.77.1.50': ['aa:bb:cc:00:00:01'] },
});
const G = ['failover1'];
const audits = (vs: a.Violation[]) => vs.map((v) => `${v.audit}: ${v.detail}`);

t.test('a healthy pair passes every audit', async (t) => {
  t.same(a.settledAudits(healthy(), G, []), []);
  t.same(a.safety(healthy()), []);
  t.same(a.writes({ acked: [1, 2, 3], present: [1, 2, 3, 4] }), { lost: [], violations: [] });
});

t.test('a group active on two servers', async (t) => {
  const o = healthy();
  o.servers[1].activeGroups = ['failover1'];
  t.same(audits(a.atMostOneActive(o)), ['one-active: group failover1 is active on server1 and server2']);
  t.same(audits(a.safety(o, { splitBrain: true })), [], 'allowed during a split brain');
  t.match(audits(a.settledAudits(o, G, [])), ['one-active: group failover1 is active on server1 and server2']);
});

t.test('a group active nowhere once settled, unless the cluster may be down or no server is up', async (t) => {
  const o = healthy();
  o.servers[0].activeGroups = [];
  t.same(audits(a.exactlyOneActive(o, G)), ['one-active: group failover1 is active nowhere (up: server1, server2)']);
  t.same(a.exactlyOneActive(o, G, true), []);
  o.servers.forEach((s) => { s.up = false; });
  t.same(a.exactlyOneActive(o, G), []);
  t.same(a.atMostOneActive({ ...healthy(), servers: [view('server1', { up: false, activeGroups: ['failover1'] }), view('server2', { activeGroups: ['failover1'] })] }), [], 'a server that is down holds nothing');
});

t.test('the floating IP answered by two MACs, or by none once settled', async (t) => {
  const o = healthy();
  o.fipAnswers['10.77.1.50'] = ['aa:bb:cc:00:00:01', 'AA:BB:CC:00:00:02', 'aa:bb:cc:00:00:02'];
  t.same(audits(a.fipOneMac(o)), ['fip-one-mac: floating IP 10.77.1.50 answered by aa:bb:cc:00:00:01 and aa:bb:cc:00:00:02']);
  o.fipAnswers['10.77.1.50'] = [];
  t.same(a.fipOneMac(o), [], 'nobody answering is fine mid-fault');
  t.same(audits(a.fipOneMac(o, true)), ['fip-one-mac: floating IP 10.77.1.50 answered by no MAC']);
});

t.test('the mirror disk mounted on both boxes', async (t) => {
  const o = healthy();
  o.servers[0].mounted = ['/dev/NMP1 /mnt/md1'];
  t.same(a.mountedAtMostOnce(o), []);
  o.servers[1].mounted = ['/dev/NMP1 /mnt/md1'];
  t.same(audits(a.mountedAtMostOnce(o)), ['mounted-once: /dev/NMP1 /mnt/md1 is mounted on server1 and server2']);
  t.same(audits(a.safety(o, { splitBrain: true })), ['mounted-once: /dev/NMP1 /mnt/md1 is mounted on server1 and server2'], 'never allowed');
});

t.test('lost, duplicate and interleaved writes', async (t) => {
  t.same(a.writes({ acked: [1, 2, 3, 4], present: [1, 2, 4] }).lost, [3]);
  t.same(audits(a.writes({ acked: [1, 2, 3, 4], present: [1, 2, 4] }).violations), ['lost-writes: 1 acknowledged record(s) missing: 3']);
  t.same(audits(a.writes({ acked: [1, 2], present: [1, 2, 3, 3] }).violations), ['duplicate-writes: record(s) written twice (two writers at once): 3']);
  t.same(audits(a.writes({ acked: [], present: [1, 2, 5, 3, 4] }).violations), ['interleaved-writes: record 3 follows 5 (position 3)']);
  t.same(a.writes({ acked: [1, 2], present: [1, 2, 5] }).violations, [], 'a gap (written, never acknowledged, lost with a holder) is no violation');
});

t.test('mirror checksums, clp.conf and clpstat differing between the servers', async (t) => {
  const o = healthy();
  o.mirrorSums = { server1: 'aaaaaaaaaaaaaaaa', server2: 'aaaaaaaaaaaaaaaa' };
  t.same(a.mirrorSumsEqual(o), []);
  o.mirrorSums.server2 = 'bbbbbbbbbbbbbbbb';
  t.same(audits(a.mirrorSumsEqual(o)), ['mirror-sums: mirror data differs: server1=aaaaaaaaaaaa, server2=bbbbbbbbbbbb']);
  o.servers[1].configHash = 'def';
  t.same(audits(a.configIdentical(o)), ['config-identical: clp.conf differs: server1=abc, server2=def']);
  o.servers[1].up = false;
  t.same(a.configIdentical(o), [], 'a server that is down is not compared');
  const c = healthy();
  c.servers[1].clpstat = { servers: { server1: 'Offline', server2: 'Online' }, groups: { failover1: 'server1' } };
  t.same(audits(a.clpstatAgrees(c)), ["clpstat-agrees: server server1: server1 says 'Online', server2 says 'Offline'"]);
  c.servers[1].clpstat = { servers: { server1: 'Online', server2: 'Online' }, groups: {} };
  t.same(audits(a.clpstatAgrees(c)), ["clpstat-agrees: group failover1: server1 says 'server1', server2 says '(absent)'"]);
});

t.test("ERROR lines logged before a step began may be the previous fault's (its heal logged them after its audit)", async (t) => {
  const o = healthy();
  const fip = /<type: rc><event: 32> The start processing of a resource fip1 failed/;
  const line = (at: string) => `${at} INFO <event> <type: rc><event: 32> The start processing of a resource fip1 failed. (15 : This ip address was already used. IP=10.77.1.50) [LVL=ERR]`;
  o.servers[1].newLogLines = [line('2026-12-07T07:31:27.086Z'), line('2026-12-07T07:31:40.000Z')];
  const began = Date.parse('2026-12-07T07:31:30.000Z');
  t.same(audits(a.unexpectedErrors(o, [], { before: began, allow: [fip] })), [`error-lines: server2: ${line('2026-12-07T07:31:40.000Z')}`],
    'the line from before the step is the previous fault\'s, the one after is this step\'s');
  t.equal(a.unexpectedErrors(o, []).length, 2, 'without the previous allow-list both count');
  t.equal(a.unexpectedErrors(o, [], { before: began, allow: [] }).length, 2, 'a previous fault that allows nothing');
  o.servers[1].newLogLines = ['garbage ERROR x'];
  t.equal(a.unexpectedErrors(o, [], { before: began, allow: [/ERROR/] }).length, 1, 'a line without a time is this step\'s');
});

t.test('ERROR lines against the allow-list, core files', async (t) => {
  const o = healthy();
  o.servers[0].newLogLines = ['2026-12-06 server1 nm INFO 1 fine', '2026-12-06 server1 nm ERROR 3 Server server2 has been stopped.', '2026-12-06 server1 rc ERROR 31 exec1 failed'];
  t.same(audits(a.unexpectedErrors(o, [/ nm ERROR 3 /])), ['error-lines: server1: 2026-12-06 server1 rc ERROR 31 exec1 failed']);
  t.same(a.unexpectedErrors(o, [/ERROR/]), []);
  o.servers[1].newLogLines = ['2026-12-06 INFO <event> <type: rc><event: 92> group failover1 is started on more than one server. [LVL=ERR]'];
  t.same(audits(a.unexpectedErrors(o, [/ERROR/])), ['error-lines: server2: 2026-12-06 INFO <event> <type: rc><event: 92> group failover1 is started on more than one server. [LVL=ERR]'], 'an event of level ERR');
  t.same(a.unexpectedErrors(o, [/ERROR/, /<type: rc><event: 92>/]), []);
  o.servers[1].coreFiles = ['/var/crash/core.123'];
  t.same(audits(a.noCores(o)), ['core-files: server2: /var/crash/core.123']);
});

t.test('RSS and open descriptors over their limits', async (t) => {
  const o = healthy();
  o.servers[0].rssKb = 500000;
  o.servers[1].openFds = 300;
  t.same(audits(a.resourcesBounded(o, { rssKb: 400000, openFds: 256 })), ['rss-bounded: server1: RSS 500000 KiB > 400000 KiB', 'fds-bounded: server2: 300 open fds > 256']);
});
