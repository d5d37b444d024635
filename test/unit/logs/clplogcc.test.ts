// clplogcc and the log collection ops on real files and real tar: both servers' parts (the
// peer's through the ops, in chunks), secrets redacted, the key scrubbed wherever it shows
// up, and every bad argument refused with what and where.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { cli } from '../../../src/cli/pairha';
import type { CliContext } from '../../../src/cli/context';
import { resolvePaths, type Paths } from '../../../src/constants';
import { requestOf } from '../../../src/control/op';
import { Registry } from '../../../src/control/registry';
import type { ControlRequest } from '../../../src/control/types';
import { collectServer, keyForms, redactConfig, REDACTED, scrub } from '../../../src/logs/collect';
import { serveLogOps } from '../../../src/logs/ops';
import { CHUNK_BYTES, logOps } from '../../../src/logs/protocol';
import { HostPlatform } from '../../../src/platform/host';
import { noPrompt } from '../../helpers/cli';
import { iniText } from '../../helpers/config';

const platform = new HostPlatform({ powerRecord: '' });
// clplogcc finds this server as the runtime does (PAIRHA_SERVER, else the host name)
process.env.PAIRHA_SERVER = 'server1';
const key = randomBytes(32);

/** A server's tree: clp.conf with its key, a log directory (syslog, a pstore record), an alert log. */
function serverTree(root: string, server: string): Paths {
  const paths = resolvePaths({ PAIRHA_ROOT: root, PAIRHA_SOCKET: path.join(root, 'no.sock') });
  for (const d of [paths.etc, paths.log, paths.alert, paths.tmp, path.join(paths.log, 'pstore', '20261206-180000')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(paths.etc, 'cluster.key'), key, { mode: 0o600 });
  fs.writeFileSync(paths.configFile, `; the test cluster\n${iniText([
    ['cluster', { name: 'cl', key_file: 'cluster.key' }], ['server server1', {}], ['server server2', {}],
    ['heartbeat lanhb1', { type: 'lanhb', server1: '10.0.0.1', server2: '10.0.0.2' }],
  ])}`);
  fs.writeFileSync(path.join(paths.log, 'messages'), `Dec  6 ${server} kernel: hello from ${server}\nDec  6 leaked key ${key.toString('hex')}\n`);
  fs.writeFileSync(path.join(paths.log, 'pstore', '20261206-180000', 'dmesg-ramoops-0'), 'Panic#1 Part1\n<0>[   12.0] Kernel panic - not syncing: sysrq triggered crash\n');
  fs.writeFileSync(path.join(paths.alert, 'alert.log'), `{"server":"${server}"}\n`);
  return paths;
}

t.test('redaction: secret values replaced, the key file named but never read, layout kept', async (t) => {
  const text = '[cluster]\nname = c\nkey_file = /opt/pairha/etc/cluster.key\n; a comment = kept\n[mail]\nsmtp_password = hunter2\n  api_key=abc\n';
  t.equal(redactConfig(text), `[cluster]\nname = c\nkey_file = /opt/pairha/etc/cluster.key\n; a comment = kept\n[mail]\nsmtp_password = ${REDACTED}\n  api_key=${REDACTED}\n`);
  const forms = keyForms(key);
  for (const [what, s] of [['raw', key], ['hex', Buffer.from(key.toString('hex'))], ['HEX', Buffer.from(key.toString('hex').toUpperCase())], ['base64', Buffer.from(key.toString('base64'))]] as const) {
    const r = scrub(Buffer.concat([Buffer.from('a '), s, Buffer.from(' b '), s]), forms);
    t.ok(r.hit, `the ${what} key is found`);
    t.equal(r.data.toString('latin1'), `a ${REDACTED} b ${REDACTED}`, `both ${what} copies are redacted`);
  }
  t.notOk(scrub(Buffer.from('nothing here'), forms).hit, 'a file without the key is left alone');
});

t.test('the ops refuse bad arguments with what is wrong', async (t) => {
  t.match(logOps.collect.check({ type: 'type9' }), /type must be one of type1, type2, type3, not 'type9'/);
  t.match(logOps.collect.check({ server: 3 }), /server must be a server name/);
  t.same(logOps.collect.check({}), { server: undefined, type: 'type1' }, 'type1 by default');
  t.match(logOps.chunk.check({ id: '../../etc/passwd', offset: 0 }), /id must be 16 hex digits/);
  t.match(logOps.chunk.check({ id: '0123456789abcdef', offset: -1 }), /offset must be an integer >= 0/);
  t.match(logOps.chunk.check({ id: '0123456789abcdef', offset: 1.5 }), /offset must be an integer >= 0/);
});

t.test('collectServer: what each type takes, the key scrubbed, failures noted', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-logcc-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const paths = serverTree(path.join(root, 's1'), 'server1');
  const out = path.join(root, 'out3');
  const m3 = await collectServer(out, 'type3', { paths, platform, key, mirrors: [] });
  t.ok(fs.existsSync(path.join(out, 'log', 'messages')), 'type3: syslog');
  t.ok(fs.existsSync(path.join(out, 'log', 'pstore', '20261206-180000', 'dmesg-ramoops-0')), 'type3: the pstore record of a reset');
  t.ok(fs.existsSync(path.join(out, 'alert', 'alert.log')), 'type3: the alert log');
  t.notOk(fs.existsSync(path.join(out, 'etc')), 'type3: no configuration');
  t.notMatch(fs.readFileSync(path.join(out, 'log', 'messages'), 'utf8'), key.toString('hex'), 'the key leaked into syslog is scrubbed');
  t.match(m3.join('\n'), /log\/messages: the cluster key was found in it and redacted/, 'and the manifest says so');

  const out1 = path.join(root, 'out1');
  const m1 = await collectServer(out1, 'type1', { paths, platform, key, mirrors: ['md1'] });
  t.equal(fs.readFileSync(path.join(out1, 'etc', 'clp.conf'), 'utf8'), redactConfig(fs.readFileSync(paths.configFile, 'utf8')), 'type1: clp.conf, redacted');
  t.notOk(fs.readdirSync(out1, { recursive: true }).some((f) => String(f).endsWith('cluster.key')), 'the key file itself is not collected');
  t.ok(fs.existsSync(path.join(out1, 'dmesg.txt')) && fs.existsSync(path.join(out1, 'clpstat.txt')) && fs.existsSync(path.join(out1, 'clpmdstat-md1.txt')), 'type1: dmesg, clpstat, clpmdstat of each mirror');
  // No runtime answers here: clpstat fails, and that is noted, not fatal.
  t.match(m1.join('\n'), /^clpstat\.txt: clpstat \(exit \d+/m, 'a failing command is noted with its exit code');
  t.match(m1.join('\n'), /^liscalstat\.txt: not collected \(ENOENT/m, 'a missing source is noted with why');
});

t.test('clplogcc: both servers in one archive, the peer\'s part in chunks through the ops', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-logcc-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const p1 = serverTree(path.join(root, 's1'), 'server1');
  const p2 = serverTree(path.join(root, 's2'), 'server2');
  // server2's log outgrows one chunk (random bytes do not compress)
  fs.writeFileSync(path.join(p2.log, 'messages.0'), randomBytes(CHUNK_BYTES * 2));
  const servers = ['server1', 'server2'];
  const r1 = new Registry(), r2 = new Registry();
  const asked: string[] = [];
  const peerOf = (from: string, to: Registry) => ({ request: async (server: string, req: ControlRequest) => { asked.push(`${req.op}->${server}`); return to.dispatch(req, { server: from, local: false }); } });
  serveLogOps(r1, { peer: peerOf('server1', r2), local: 'server1', servers, tmp: p1.tmp, collect: () => ({ paths: p1, platform, key, mirrors: [] }) });
  serveLogOps(r2, { peer: peerOf('server2', r1), local: 'server2', servers, tmp: p2.tmp, collect: () => ({ paths: p2, platform, key, mirrors: [] }) });

  let out = '', err = '';
  const ctx: CliContext = { paths: p1, platform, out: (s) => { out += s; }, err: (s) => { err += s; }, call: (req) => r1.dispatch(req, { local: true }), ask: noPrompt };
  const dest = path.join(root, 'dest');
  fs.mkdirSync(dest);

  const code = await cli(['clplogcc', '-t', 'type2', '-o', dest], ctx);
  t.equal(code, 0, `clplogcc succeeds ${err}`);
  t.match(out, /^Collect Log server1 : success\nCollect Log server2 : success\n/, 'one line per server');
  t.ok(asked.filter((a) => a === 'logs.chunk->server2').length >= 3, `server2's archive read in chunks (${asked.length} requests)`);
  t.same(fs.readdirSync(p2.tmp), [], 'server2 removed its archive after the last chunk');
  const [archive] = fs.readdirSync(dest);
  t.match(archive, /^pairha-logs-cl-\d{8}-\d{6}\.tar\.gz$/, 'one archive, named by cluster and time');
  const list = execFileSync('tar', ['-tzf', path.join(dest, archive)], { encoding: 'utf8' }).split('\n');
  const top = archive.replace(/\.tar\.gz$/, '');
  for (const s of servers) {
    for (const f of ['log/messages', 'log/pstore/20261206-180000/dmesg-ramoops-0', 'alert/alert.log', 'etc/clp.conf', 'MANIFEST.txt']) t.ok(list.includes(`${top}/${s}/${f}`), `${s}/${f} in the archive`);
  }
  const x = path.join(root, 'x');
  fs.mkdirSync(x);
  execFileSync('tar', ['-xzf', path.join(dest, archive), '-C', x]);
  const all = execFileSync('sh', ['-c', 'cat $(find . -type f)'], { cwd: x });
  for (const f of keyForms(key)) t.equal(all.indexOf(f), -1, 'no form of the key anywhere in the archive');
  t.match(fs.readFileSync(path.join(x, top, 'server2', 'log', 'messages'), 'utf8'), 'hello from server2', 'server2\'s own syslog');

  // The peer leg is served only by the server it names; unknown servers are refused.
  t.match(await r2.dispatch(requestOf(logOps.collect, { server: 'server1', type: 'type1' }), { server: 'server1', local: false }), { code: 2, message: 'this is server2, not server1' });
  t.match(await r1.dispatch(requestOf(logOps.collect, { server: 'server9', type: 'type1' }), { local: true }), { code: 2, message: /unknown server 'server9' \(server1, server2\)/ });
  t.match(await r1.dispatch(requestOf(logOps.chunk, { id: '0123456789abcdef', offset: 0 }), { local: true }), { code: 1, message: /no archive 0123456789abcdef on server1/ });
});

t.test('clplogcc refuses bad arguments, naming the argument', async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-logcc-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const paths = serverTree(root, 'server1');
  const run = async (...argv: string[]) => {
    let err = '';
    const ctx: CliContext = { paths, platform, out: () => {}, err: (s) => { err += s; }, call: async () => ({ code: 1, message: 'not used' }), ask: noPrompt };
    return { code: await cli(['clplogcc', ...argv], ctx), err };
  };
  const cases: Array<[string[], RegExp]> = [
    [['-t', 'type4'], /-t type4: the type is one of type1, type2, type3/],
    [['-o', root, '-d', '/dev/null'], /-o and -d exclude each other/],
    [['-m', '/mnt'], /-m needs -d/],
    [['-h', 'server2', '-l'], /-h and -l exclude each other/],
    [['-d', path.join(root, 'nosuch')], /-d \S+nosuch: no such device/],
    [['-d', paths.configFile], /-d \S+clp\.conf: not a block device/],
    [['-o', path.join(root, 'nosuch')], /-o \S+nosuch: no such directory/],
    [['-o', paths.configFile], /-o \S+clp\.conf: not a directory/],
    [['-h', 'server9', '-o', root], /-h server9: not a server of the configuration \(server1, server2\)/],
    [['extra'], /unexpected argument 'extra'/],
    [['-o'], /option '-o' needs a value/],
  ];
  for (const [argv, want] of cases) {
    const r = await run(...argv);
    t.equal(r.code, 2, `clplogcc ${argv.join(' ')}: usage error`);
    t.match(r.err, want, `clplogcc ${argv.join(' ')}: says what is wrong`);
  }
});
