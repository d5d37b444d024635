// The event sinks against real daemons: busybox syslogd on its own /dev/log (in a private
// mount namespace) and an SMTP server (python3-aiosmtpd) on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { resolvePaths } from '../../src/constants';
import { createEvents } from '../../src/events';
import { ev } from '../../src/events/ids';
import { nullLogger } from '../../src/logger';
import { HostPlatform } from '../../src/platform/host';
import { testConfig } from '../helpers/config';
import { isRoot, until } from '../helpers/lab';
import type { Test } from 'tap';

if (!isRoot) { t.skip('EVENT SINK TESTS SKIPPED: the private syslogd needs root (mount namespace)', () => {}); process.exit(0); }

const messages = path.resolve(__dirname, '..', '..', 'messages');
const platform = new HostPlatform({ powerRecord: '' });

function daemon(t: Test, file: string, args: string[]): ChildProcess {
  const p = spawn(file, args, { stdio: 'ignore' });
  t.teardown(() => { p.kill('SIGKILL'); });
  return p;
}

t.test('syslog lines reach a real syslogd in the seed\'s format', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syslog-'));
  const out = path.join(dir, 'messages');
  const p = daemon(t, 'unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs none /dev && exec busybox syslogd -n -O ${out}`]);
  const sock = `/proc/${p.pid}/root/dev/log`;
  await until(async () => fs.existsSync(sock), 5000, 'syslogd socket');
  const paths = { ...resolvePaths({}), alert: path.join(dir, 'alert'), devLog: sock, messages };
  const { bus } = createEvents({ paths, log: nullLogger, platform, server: 'server1' });
  bus.emit(ev.nm.heartbeatUp, 'lanhb1', 'server1');
  bus.emit(ev.rc.groupActiveOnSeveral, 'failover1');
  await bus.close();
  await until(async () => fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes('event: 92'), 5000, 'lines in the syslog file');
  const text = fs.readFileSync(out, 'utf8');
  t.match(text, /daemon\.info CLUSTERPRO: <type: nm><event: 3> Resource lanhb1 of server server1 up\.\n/);
  t.match(text, /daemon\.err CLUSTERPRO: <type: rc><event: 92> group failover1 is started on more than one server\.\n/);
});

t.test('a mail event reaches a real SMTP server on loopback', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtp-'));
  const box = path.join(dir, 'mailbox');
  const port = 20000 + Math.floor(Math.random() * 20000);
  daemon(t, '/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', box]);
  await until(async () => fs.existsSync(path.join(box, 'new')), 10000, 'aiosmtpd up');
  const paths = { ...resolvePaths({}), alert: path.join(dir, 'alert'), devLog: path.join(dir, 'nolog'), messages };
  const config = testConfig([
    ['alert', { max_entries: 100 }], ['syslog', { enabled: false }],
    ['mail', { enabled: true, smtp_host: '127.0.0.1', smtp_port: port, from: 'pairha@localhost', to: 'ops@localhost', subject: 'pairha' }],
  ]);
  const { bus } = createEvents({ paths, log: nullLogger, platform, server: 'server1', config });
  bus.emit(ev.nm.serverDown, 'server2'); // SEND has mail
  bus.emit(ev.nm.serverUp, 'server2'); // SEND has no mail
  await bus.close();
  await until(async () => fs.readdirSync(path.join(box, 'new')).length > 0, 10000, 'a mail delivered');
  await new Promise((r) => setTimeout(r, 300));
  const mails = fs.readdirSync(path.join(box, 'new')).map((f) => fs.readFileSync(path.join(box, 'new', f), 'utf8'));
  t.equal(mails.length, 1, 'only the event whose SEND has mail');
  t.match(mails[0], /Server server2 down\./);
  t.match(mails[0], /Subject: pairha: cluster server1 nm INFO 2/);
});
