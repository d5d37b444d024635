// SCHED_RR for the runtime (rt_priority): every thread, also the ones started later (the CI
// run of 3e2ff0b found a thread made after `chrt -R` at normal priority: reset-on-fork also
// resets threads), and none of its children (a resource script must not starve the box).
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import t from 'tap';

const lib = path.join(__dirname, '..', '..', '..', 'dist', 'platform', 'host.js');
const haveChrt = spawnSync('chrt', ['--help']).status === 0;

t.test('takeRealtime: later threads inherit SCHED_RR, children run SCHED_OTHER', { skip: !haveChrt && 'no chrt on this machine' }, async (t) => {
  // policy and rt_priority of a task: fields 41 and 40 of stat (after the command's ')').
  const code = `
    const fs = require('node:fs');
    const { Worker } = require('node:worker_threads');
    const { HostPlatform } = require(${JSON.stringify(lib)});
    const sched = (p) => { const f = fs.readFileSync(p, 'utf8').split(') ')[1].split(' '); return [Number(f[38]), Number(f[37])]; };
    const p = new HostPlatform({ powerRecord: '' });
    (async () => {
      const taken = await p.takeRealtime(7);
      const before = fs.readdirSync('/proc/self/task');
      const w = new Worker('setInterval(() => {}, 1000)', { eval: true });
      await new Promise((r) => w.once('online', r));
      const threads = fs.readdirSync('/proc/self/task').map((tid) => ({ tid, late: !before.includes(tid), sched: sched('/proc/self/task/' + tid + '/stat') }));
      const child = await p.run('sh', ['-c', 'cat /proc/$$/stat']);
      const f = child.stdout.split(') ')[1].split(' ');
      const daemonPid = p.daemon('sleep', ['5'], { logFile: '/dev/null' });
      await new Promise((r) => setTimeout(r, 300));
      const daemon = sched('/proc/' + daemonPid + '/stat');
      const daemonComm = fs.readFileSync('/proc/' + daemonPid + '/comm', 'utf8').trim();
      process.kill(daemonPid);
      const missing = await p.run('no-such-program-pairha', []);
      console.log(JSON.stringify({ taken: taken.code, threads, child: [Number(f[38]), Number(f[37])], daemon, daemonComm, missing: missing.code }));
      process.exit(0);
    })();`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }));
  t.equal(out.taken, 0, 'chrt took SCHED_RR');
  t.ok(out.threads.some((x: { late: boolean }) => x.late), 'a worker thread started after it');
  for (const th of out.threads) t.same(th.sched, [2, 7], `thread ${th.tid}${th.late ? ' (started later)' : ''}: SCHED_RR 7`);
  t.same(out.child, [0, 0], 'a command it runs: SCHED_OTHER');
  t.same(out.daemon, [0, 0], 'a daemon it starts: SCHED_OTHER');
  t.equal(out.daemonComm, 'sleep', 'the daemon pid is the program itself (chrt exec\'d it)');
  t.equal(out.missing, 127, 'a missing program still exits 127');
});
