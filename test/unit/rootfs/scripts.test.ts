// The appliance's shell tools run on the host against a scratch tree: chkconfig's list in
// the seed's runlevel layout (§11.1 (4)), the console menu passing what it asks on to the
// command, and the service scripts' start-up lines (§11.1 (8)).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';

const rootfs = path.resolve(__dirname, '..', '..', '..', 'rootfs');
const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-rootfs-'));

t.test('chkconfig --list prints the seed\'s runlevel columns', async (t) => {
  const dir = scratch();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, PAIRHA_SERVICES: path.join(rootfs, 'etc', 'pairha', 'services'), PAIRHA_RCD: path.join(dir, 'rc.d'), PAIRHA_INITD: path.join(rootfs, 'etc', 'init.d') };
  const chk = (...args: string[]) => spawnSync('sh', [path.join(rootfs, 'sbin', 'chkconfig'), ...args], { env, encoding: 'utf8' });
  t.equal(chk('--add', 'clusterpro').status, 0, 'chkconfig --add clusterpro');
  // The line of the seed, §11.1 (4), character for character.
  t.equal(chk('--list', 'clusterpro').stdout, 'clusterpro      0:off  1:off  2:off  3:on   4:off  5:on  6:off\n');
  t.equal(chk('--del', 'clusterpro').status, 0, 'chkconfig --del clusterpro');
  t.equal(chk('--list', 'clusterpro').stdout, 'clusterpro      0:off  1:off  2:off  3:off  4:off  5:off  6:off\n');
  const all = chk('--list').stdout.trim().split('\n');
  t.same(all.map((l) => l.split(' ')[0]), ['clusterpro_evt', 'clusterpro_trn', 'clusterpro_md', 'clusterpro', 'clusterpro_webmgr', 'clusterpro_alertsync'], 'every service, in start order');
  t.ok(all.every((l) => / 0:off {2}1:off {2}2:off {2}3:off {2}4:off {2}5:off {2}6:off$/.test(l)), 'each with its runlevels');
  const bad = chk('--list', 'nosuch');
  t.equal(bad.status, 1);
  t.match(bad.stderr, /chkconfig: unknown service 'nosuch' \(clusterpro_evt, /);
});

t.test('the console menu asks for the mirror disk and passes it to clpmdstat', async (t) => {
  const dir = scratch();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The menu is what is under test: clpmdstat here records the arguments it got.
  const record = path.join(dir, 'args');
  fs.writeFileSync(path.join(dir, 'clpmdstat'), `#!/bin/sh\necho "$@" > ${record}\n`, { mode: 0o755 });
  const r = spawnSync('sh', [path.join(rootfs, 'opt', 'pairha', 'bin', 'menu')], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, PAIRHA_MENU_TABLE: path.join(rootfs, 'opt', 'pairha', 'lib', 'sh', 'menu.table') },
    input: '4\nmd1\nq\n', encoding: 'utf8',
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /4\) Mirror status/);
  t.match(r.stdout, /Mirror disk resource: /);
  t.equal(fs.readFileSync(record, 'utf8'), '--mirror md1\n', 'clpmdstat --mirror md1');
});

t.test('the console menu collects the logs with clplogcc, to a directory or a stick', async (t) => {
  const dir = scratch();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const record = path.join(dir, 'args');
  fs.writeFileSync(path.join(dir, 'clplogcc'), `#!/bin/sh\necho "$@" >> ${record}\n`, { mode: 0o755 });
  const r = spawnSync('sh', [path.join(rootfs, 'opt', 'pairha', 'bin', 'menu')], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, PAIRHA_MENU_TABLE: path.join(rootfs, 'opt', 'pairha', 'lib', 'sh', 'menu.table') },
    input: '15\n\n15\n/srv/x\n16\n/dev/sdb1\nq\n', encoding: 'utf8',
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /15\) Collect both servers' logs to a directory\n +16\) Collect both servers' logs to a USB stick/);
  t.equal(fs.readFileSync(record, 'utf8'), '-o /opt/pairha/tmp\n-o /srv/x\n-d /dev/sdb1\n', 'the default directory, the one given, the stick');
});

t.test('logkeep rotates the logs over their cap and keeps so many', async (t) => {
  const dir = scratch();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const keep = () => execFileSync('sh', [path.join(rootfs, 'opt', 'pairha', 'lib', 'sh', 'logkeep.sh'), dir, 'once']);
  const f = (n: string) => path.join(dir, n);
  fs.writeFileSync(f('pairha.log'), 'small\n');
  for (let i = 0; i < 6; i++) {
    fs.writeFileSync(f('messages'), `round ${i}\n`.padEnd(512 * 1024 + 1, 'x'));
    keep();
  }
  t.notOk(fs.existsSync(f('messages')), 'messages over 512 KiB is moved away (syslogd makes a new one)');
  t.same(['0', '1', '2', '3'].map((n) => fs.readFileSync(f(`messages.${n}`), 'utf8').split('\n')[0]), ['round 5', 'round 4', 'round 3', 'round 2'], 'the newest in .0, four kept');
  t.notOk(fs.existsSync(f('messages.4')), 'no fifth');
  t.equal(fs.readFileSync(f('pairha.log'), 'utf8'), 'small\n', 'a log under its cap is left alone');
  fs.writeFileSync(f('pairha.log'), 'big\n'.padEnd(1024 * 1024 + 1, 'y'));
  keep();
  t.equal(fs.statSync(f('pairha.log')).size, 0, 'pairha.log is truncated in place (the runtime keeps it open)');
  t.match(fs.readFileSync(f('pairha.log.0'), 'utf8'), /^big\n/, 'after its copy to pairha.log.0');
});

t.test('a service logs the seed\'s start-up lines to syslog', async (t) => {
  const dir = scratch();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // logger records what would reach syslog; the role itself (the web manager process) is stubbed.
  const record = path.join(dir, 'syslog');
  fs.writeFileSync(path.join(dir, 'logger'), `#!/bin/sh\n[ "$1" = -t ] && echo "$2: $3" >> ${record}\n`, { mode: 0o755 });
  const script = fs.readFileSync(path.join(rootfs, 'etc', 'init.d', 'clusterpro_webmgr'), 'utf8');
  const src = fs.readFileSync(path.join(rootfs, 'opt', 'pairha', 'lib', 'sh', 'service.sh'), 'utf8');
  fs.writeFileSync(path.join(dir, 'service.sh'), src.replace(/^ROLES=.*$/m, `ROLES=${dir}/roles`).replace(/^export PATH=.*$/m, `export PATH=${dir}:$PATH`));
  fs.writeFileSync(path.join(dir, 'svc'), script.replace('/opt/pairha/lib/sh/service.sh', path.join(dir, 'service.sh')).replace(/^service_main /m, 'start_role() { :; }\nservice_main '), { mode: 0o755 });
  const out = execFileSync('sh', [path.join(dir, 'svc'), 'start'], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  t.equal(out, 'Starting clusterpro_webmgr: succeeded\n');
  t.equal(fs.readFileSync(record, 'utf8'), 'clusterpro_webmgr: Starting webmanager server:\nrc: Starting clusterpro_webmgr: succeeded\n', 'the lines of §11.1 (8)');
});
