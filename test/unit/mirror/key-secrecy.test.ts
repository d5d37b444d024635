// Issue 13 item 7: the cluster key reaches the driver and nothing else. Every path that
// reports a failed liscal write (the adapter's error, the agent's log and problems, its
// events, the clpmdinit/clpmdchng replies) is provoked with a ctl that refuses every
// write (/dev/full: ENOSPC), and the key's hex and raw bytes are looked for in what came out.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import { resolvePaths } from '../../../src/constants';
import { Registry } from '../../../src/control/registry';
import type { RuntimeContext } from '../../../src/core/context';
import { Logger } from '../../../src/logger';
import { MirrorAgent } from '../../../src/mirror/agent';
import { Liscal, LiscalError } from '../../../src/mirror/liscal';
import { formatStatusLine } from '../../../src/mirror/liscal-status';
import { serveMirrorOps } from '../../../src/mirror/ops';
import { mdOps } from '../../../src/mirror/protocol';
import { md1Conf, st } from '../../helpers/mirror';
import { freeTcpPort } from '../../helpers/ports';
import { stubPlatform } from '../../helpers/platform';

const key = Buffer.from('S3cr3t-cluster-key-0123456789');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'keysecret-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));

/** A /proc stand-in whose ctl refuses every write. */
function refusingProc(name: string): string {
  const proc = path.join(root, name, 'liscal');
  fs.mkdirSync(proc, { recursive: true });
  fs.symlinkSync('/dev/full', path.join(proc, 'ctl'));
  fs.writeFileSync(path.join(root, name, 'liscalstat'), formatStatusLine(st({ bound: false, state: 'NONE' })) + '\n');
  return proc;
}

const leaks = (text: string) => [key.toString('hex'), key.toString('latin1'), key.toString('base64')].filter((k) => text.includes(k));

t.test('the adapter: a refused key command names the command without the key', async (t) => {
  const l = new Liscal(refusingProc('adapter'));
  const e = (await l.key(key).then(() => undefined, (x: unknown) => x)) as LiscalError;
  t.type(e, LiscalError);
  t.equal(e.message, "liscal: 'key <redacted>' failed: ENOSPC: no space left on device, write (ENOSPC)");
  t.same(leaks(`${e.message} ${e.command} ${e.stack} ${JSON.stringify(e)}`), []);
});

t.test('the agent, clpmdinit and clpmdchng: no log line, problem, event or reply carries the key', async (t) => {
  const dir = path.join(root, 'agent');
  const proc = refusingProc('agent');
  const port = await freeTcpPort();
  const config = parseConfig(md1Conf({ ports: { mirror_agent: port } }), path.join(dir, 'clp.conf'));
  const out: string[] = [];
  const ctx: RuntimeContext = {
    config, local: config.servers[0], key, bootId: Buffer.alloc(16),
    paths: resolvePaths({ PAIRHA_ROOT: dir, PAIRHA_LISCAL_PROC: proc }),
    events: { emit: ({ type, id }, ...args) => { out.push(`event ${type} ${id} ${JSON.stringify(args)}`); } },
    log: new Logger({ write: (line) => { out.push(line); } }, 'debug'), platform: stubPlatform(),
  };
  const agent = new MirrorAgent(ctx, { interval: 3600000, peerTimeout: 500, retryDelay: 60000, mountsFile: path.join(dir, 'mounts') });
  await agent.start();
  t.teardown(() => agent.stop());
  const reg = new Registry();
  serveMirrorOps(reg, { config, platform: ctx.platform, events: ctx.events, agent: () => agent });
  const replies = [
    await reg.dispatch({ op: mdOps.init.name, args: { resource: 'md1' } }, { local: true }),
    await reg.dispatch({ op: mdOps.chng.name, args: { device: '/dev/vdb' } }, { local: true }),
  ];
  t.match(replies, [{ code: 1, message: /key <redacted>/ }, { code: 1, message: /key <redacted>/ }], 'both fail on the key write');
  t.match(out.join(''), /key <redacted>/, 'the agent logged the failed key write');
  t.same(leaks([...out, ...agent.problems, JSON.stringify(replies)].join('\n')), []);
});
