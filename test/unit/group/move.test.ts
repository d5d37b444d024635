// clpgrp -m between two runtimes in one process (server1 on 127.0.0.1, server2 on 127.0.0.2,
// the real authenticated peer channel): the mover stops the group, then asks the target to
// start it. The target must not meet its older view of the group (active on the mover): the
// news of the stop travels on its own connection and may arrive after the start request
// (seen on the virtual pair: "group failover1 is active on server1", the group left nowhere).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import { resolvePaths } from '../../../src/constants';
import type { Origin } from '../../../src/control/types';
import { Logger } from '../../../src/logger';
import { rcOps } from '../../../src/group/protocol';
import { nmOps } from '../../../src/nm/protocol';
import type { MembershipView } from '../../../src/nm/types';
import { Runtime } from '../../../src/runtime/runtime';
import { licensedEnv } from '../../helpers/licence';
import { md1Conf } from '../../helpers/mirror';
import { stubPlatform } from '../../helpers/platform';
import { freeTcpPort } from '../../helpers/ports';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-move-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pair(t: { teardown(f: () => unknown): void }) {
  const [internal, agent, hb] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const text = md1Conf({
    md: false, autoStart: false, ports: { internal, mirror_agent: agent, heartbeat: hb },
    sections: '[timeouts]\nhb_interval = 100\nhb_timeout = 3000\n[watchdog]\nenabled = false\n[resource exec1]\ntype = exec\ngroup = failover1\nstart = /bin/true\nstop = /bin/true\n',
  });
  const rts: Runtime[] = [];
  for (const [i, name] of ['server1', 'server2'].entries()) {
    const dir = path.join(root, `${name}-${agent}`);
    fs.mkdirSync(dir, { recursive: true });
    const config = parseConfig(text, path.join(dir, 'clp.conf'));
    const paths = resolvePaths({ PAIRHA_ROOT: dir, PAIRHA_LISCAL_PROC: path.join(dir, 'liscal'), ...licensedEnv(dir, config) });
    const rt = new Runtime({ config, local: config.servers.find((s) => s.name === name)!, key: Buffer.from('k'.repeat(16)), bootId: Buffer.alloc(16, i + 1), paths, log: new Logger({ write: () => {} }, 'error'), platform: stubPlatform(), events: { emit: () => {} } });
    t.teardown(() => rt.shutdown());
    rts.push(rt);
  }
  await Promise.all(rts.map((rt) => rt.start(true)));
  return rts;
}

const local: Origin = { local: true };
const ask = async (rt: Runtime, op: { name: string }, args: object) => rt.registry.dispatch({ op: op.name, args }, local);
const state = async (rt: Runtime) => ((await ask(rt, rcOps.status, {})).data as Array<{ name: string; state: string }>).find((g) => g.name === 'failover1')?.state;

async function until(what: string, ok: () => Promise<boolean>, ms = 20000): Promise<void> {
  for (const end = Date.now() + ms; !(await ok());) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

t.test('the target of a move has heard of the stop before it is asked to start', async (t) => {
  const [s1, s2] = await pair(t);
  // Each must see the other Online: the move asks server1's view of server2 (one side can
  // hear the other first; seen once under load: "server server2 is not online").
  const online = async (rt: Runtime) => ((await ask(rt, nmOps.view, {})).data as MembershipView | undefined)?.servers.every((s) => s.status === 'Online') === true;
  await until('both see each other', async () => await online(s1) && await online(s2) && ((await ask(s1, rcOps.cluster, {})).data as { groups: unknown[] }).groups.length > 0 && s1.rc?.holder('failover1') === undefined && s2.rc !== undefined);
  t.match(await ask(s1, rcOps.start, { group: 'failover1', why: 'start' }), { code: 0 }, 'failover1 started on server1');
  await until('server2 knows failover1 is active on server1', async () => s2.rc?.holder('failover1') === 'server1');
  // The news of a group's state reaches server2 late: each rc.notify is served 1 s after it arrives.
  const handlers = (s2.registry as unknown as { handlers: Map<string, (raw: unknown, o: Origin) => Promise<unknown>> }).handlers;
  const notify = handlers.get(rcOps.notify.name)!;
  handlers.set(rcOps.notify.name, async (raw, o) => { await sleep(1000); return notify(raw, o); });
  const r = await ask(s1, rcOps.move, { group: 'failover1', host: 'server2' });
  t.match(r, { code: 0 }, `clpgrp -m failover1 -h server2 succeeds (${JSON.stringify(r)})`);
  t.equal(await state(s2), 'Online', 'failover1 Online on server2');
  t.equal(await state(s1), 'Offline', 'failover1 Offline on server1');
});
