// clpcfctrl's command line against a real registry serving the cfg ops (a one-server cluster):
// its options and their errors, the medium (directory, device mounted read-only and always
// unmounted, the stick found by label), the prompts, pull.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { serveCfgOps } from '../../../src/cfg/ops';
import { ConfigStore } from '../../../src/cfg/store';
import { cli } from '../../../src/cli/pairha';
import type { CliContext } from '../../../src/cli/context';
import { resolvePaths } from '../../../src/constants';
import { Registry } from '../../../src/control/registry';
import type { Platform } from '../../../src/platform/types';
import { iniText } from '../../helpers/config';
import { stubPlatform } from '../../helpers/platform';

const text = iniText([['cluster', { name: 'c', key_file: 'cluster.key' }], ['server server1', {}]]);

function setup(t: Test, platform: Platform = stubPlatform(), running = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-cfctrl-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const etc = path.join(dir, 'etc'), medium = path.join(dir, 'medium');
  fs.mkdirSync(etc); fs.mkdirSync(medium);
  const key = randomBytes(32);
  fs.writeFileSync(path.join(etc, 'clp.conf'), text);
  fs.writeFileSync(path.join(etc, 'cluster.key'), key, { mode: 0o600 });
  const reg = new Registry();
  serveCfgOps(reg, {
    store: new ConfigStore(path.join(etc, 'clp.conf'), 'server1'), key: () => key, applied: () => text, setApplied: () => {},
    peer: { request: async () => { throw new Error('no peer'); } }, local: 'server1', servers: ['server1'],
    daemon: () => ({ running, suspended: false }), restart: async () => ({ code: 0 }),
  });
  const run = async (answer: string, ...argv: string[]) => {
    let out = '', err = '';
    const prompts: string[] = [];
    const ctx: CliContext = {
      paths: resolvePaths({}), platform, out: (s) => { out += s; }, err: (s) => { err += s; },
      call: (req) => reg.dispatch(JSON.parse(JSON.stringify(req)), { local: true }),
      ask: async (p) => { prompts.push(p); return answer; },
    };
    const code = await cli(['clpcfctrl', ...argv], ctx);
    return { code, out, err, prompts };
  };
  return { dir, etc, medium, key, run, held: () => fs.readFileSync(path.join(etc, 'clp.conf'), 'utf8') };
}

t.test('usage errors name the argument', async (t) => {
  const { run } = setup(t);
  const cases: Array<[string[], RegExp]> = [
    [[], /give exactly one of --push, --pull/],
    [['--push', '--pull'], /give exactly one of --push, --pull/],
    [['--push', '-l', '-w'], /-l and -w exclude each other/],
    [['--push', '-x', '/tmp', '-d', '/dev/sdb'], /-x excludes -d and -m/],
    [['--push', '-m', '/mnt'], /-m needs -d DEV/],
    [['--pull', '--force', '-x', '/tmp'], /--force applies to --push only/],
    [['--push', 'extra'], /unexpected argument 'extra'/],
    [['--push', '-x'], /option '-x' needs a value/],
    [['--push', '-q'], /unknown option '-q'/],
  ];
  for (const [argv, why] of cases) {
    const r = await run('', ...argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err, why);
    t.match(r.err, /usage: clpcfctrl --push/);
  }
});

t.test('the medium: a directory, a device mounted read-only and always unmounted, the stick by label', async (t) => {
  let s = setup(t);
  let r = await s.run('', '--push', '-x', path.join(s.dir, 'nope'));
  t.match(r.err, /nope is not a directory/);
  r = await s.run('', '--push', '-x', s.medium);
  t.match(r.err, /medium\/clp\.conf: no configuration there/);
  fs.writeFileSync(path.join(s.medium, 'clp.conf'), text);
  fs.writeFileSync(path.join(s.medium, 'cluster.key'), 'short');
  r = await s.run('', '--push', '-x', s.medium);
  t.match(r.err, /cluster\.key: the cluster key has 5 bytes; at least 16 are needed/);

  const calls: string[] = [];
  let mountFails = false;
  const platform = stubPlatform({
    run: async (file, args) => {
      calls.push([file, ...args].join(' '));
      if (file === 'findfs') return { code: 1, stdout: '', stderr: 'unable to resolve' };
      if (file === 'mount' && mountFails) return { code: 32, stdout: '', stderr: 'wrong fs type' };
      return { code: 0, stdout: '', stderr: '' };
    },
  });
  s = setup(t, platform);
  fs.writeFileSync(path.join(s.medium, 'clp.conf'), text.replace('name = c', 'name = c\ncomment = new'));
  r = await s.run('', '--push', '-l', '-d', '/dev/sdz1', '-m', s.medium);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /generation 0 -> 1; reflect method: upload\n {2}\[cluster\] comment: \(unset\) -> new \(upload\)\nthe configuration is in place \(upload only\)\nsuccess\.\(code:0\)\n$/);
  t.same(calls, [`mount -o ro /dev/sdz1 ${s.medium}`, 'sync', `umount ${s.medium}`], 'mounted read-only, then unmounted');
  t.match(s.held(), /^generation = 1$/m);
  calls.length = 0;
  fs.writeFileSync(path.join(s.medium, 'clp.conf'), 'garbage');
  r = await s.run('', '--push', '-d', '/dev/sdz1', '-m', s.medium);
  t.equal(r.code, 1);
  t.equal(calls.at(-1), `umount ${s.medium}`, 'unmounted after a refusal too');
  mountFails = true;
  r = await s.run('', '--push', '-d', '/dev/sdz1', '-m', s.medium);
  t.match(r.err, new RegExp(`cannot mount /dev/sdz1 on ${s.medium}: wrong fs type`));
  r = await s.run('', '--push');
  t.match(r.err, /no USB stick labelled PAIRHA-CFG \(give -d DEV -m MNT, or -x DIR\)/);
});

t.test('the prompts: anything but y pushes nothing; pull saves the files', async (t) => {
  const s = setup(t, stubPlatform(), true);
  fs.writeFileSync(path.join(s.medium, 'clp.conf'), text + '\n[group g1]\nservers = server1\n');
  let r = await s.run('', '--push', '-x', s.medium);
  t.same(r.prompts, ['Need to stop cluster and restart\nAlready stopped? (y/n) : ']);
  t.equal(r.code, 1);
  t.match(r.err, /not pushed: stop the cluster \(clpcl -t -a\), push again, then clpcl -s -a/);
  t.equal(s.held(), text, 'nothing pushed');
  r = await s.run('y', '--push', '-x', s.medium);
  t.equal(r.code, 1, 'y, but the daemon runs: refused');
  t.match(r.err, /server1: the cluster daemon is running/);
  const out = path.join(s.dir, 'backup');
  fs.mkdirSync(out);
  r = await s.run('', '--pull', '-w', '-x', out);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /generation 0 saved in .*backup\nsuccess\.\(code:0\)\n$/);
  t.equal(fs.readFileSync(path.join(out, 'clp.conf'), 'utf8'), text);
  t.ok(fs.readFileSync(path.join(out, 'cluster.key')).equals(s.key));
  t.equal(fs.statSync(path.join(out, 'cluster.key')).mode & 0o777, 0o600);
});
