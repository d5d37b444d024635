// The lab's softdog reset (src/host/lab/softdog.ts) stands in for a box's reset, which is
// instant. Its record is what the campaign's heal waits for before it starts the server again
// (and that start replaces the softdog): when the record is there, every process of the
// namespace must be gone and the service addresses dropped. Written first, a restart killed
// the softdog mid-reset and the old writer and floating IP lived on beside the new runtime
// (docs/reliability.md finding 14: two writers at once under load).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { reset } from '../../../src/host/lab/softdog';
import { HostPlatform } from '../../../src/platform/host';

const host = new HostPlatform({ powerRecord: '' });
const sh = async (file: string, args: string[]) => {
  const r = await host.run(file, args);
  if (r.code) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

t.test('the reset record is written once the reset is complete', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (network namespaces)', () => {}); return; }
  const ns = `${process.env.PAIRHA_LAB_NS || 'pairha'}-unit-sdr`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-sdr-'));
  const record = path.join(dir, 'power.log');
  await host.run('ip', ['netns', 'del', ns]);
  t.teardown(async () => { await host.run('ip', ['netns', 'del', ns]); fs.rmSync(dir, { recursive: true, force: true }); });
  await sh('ip', ['netns', 'add', ns]);
  await sh('ip', ['-n', ns, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1']);
  await sh('ip', ['-n', ns, 'link', 'set', 'd0', 'up']);
  for (const a of ['10.97.0.1/24', '10.97.0.50/24']) await sh('ip', ['-n', ns, 'addr', 'add', a, 'dev', 'd0']);
  const services = [0, 1, 2].map(() => spawn('ip', ['netns', 'exec', ns, 'sleep', '1000'], { stdio: 'ignore' }));
  t.teardown(() => { for (const c of services) c.kill('SIGKILL'); });
  await new Promise((r) => setTimeout(r, 300)); // (ip netns exec has become sleep)
  const pids = (await sh('ip', ['netns', 'pids', ns])).split('\n').filter(Boolean).map(Number);
  t.equal(pids.length, 3, 'three processes in the namespace');

  // Looked at between every step of the reset (it awaits its spawns): the first time the
  // record is there, nothing of the server may be left.
  let seenAt: { alive: number[]; addrs: string } | undefined;
  const end = Date.now() + 10000;
  const look = async () => {
    while (Date.now() < end && !seenAt) {
      if (fs.existsSync(record) && fs.readFileSync(record, 'utf8').includes(' reset ')) {
        seenAt = { alive: pids.filter((p) => host.signal(p, 0)), addrs: await sh('ip', ['-n', ns, '-o', '-4', 'addr', 'show']) };
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
  };
  const watcher = look();
  await reset(host, ns, ['10.97.0.1'], record, 'softdog: no write for 1000 ms');
  await watcher;
  t.ok(seenAt, 'the record was written');
  t.same(seenAt?.alive, [], 'when the record appeared, every process of the namespace was gone');
  t.notMatch(seenAt?.addrs ?? '', /10\.97\.0\.50\//, 'and the service address dropped');
  t.match(seenAt?.addrs ?? '', /10\.97\.0\.1\//, 'the heartbeat address kept (the interconnect stays cabled)');
  t.match(fs.readFileSync(record, 'utf8'), /^\d{4}-\d\d-\d\dT[\d:.]+Z reset softdog: no write for 1000 ms\n$/, 'one record line');
});
