import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { ConfigError, findLocalServer, loadConfig, loadKey, parseConfig } from '../../src/config';
import { iniValue } from '../../src/config/scan';

const fixtures = path.resolve(__dirname, '..', 'fixtures', 'config');
const example = path.resolve(__dirname, '..', '..', 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf');

t.test('the shipped example and the lab example parse', async (t) => {
  const c = loadConfig(example);
  t.same(c.servers.map((s) => s.name), ['server1', 'server2']);
  t.same(c.heartbeats.map((h) => `${h.index}:${h.name}`), ['0:lanhb1', '1:lanhb2', '2:comhb1']);
  t.equal(c.ports.internal, 29001);
  t.equal(c.ports.mirrorDriver, 29005);
  const lab = fs.readFileSync(path.resolve(__dirname, '..', '..', 'src', 'host', 'lab', 'examples', 'lab.conf'), 'utf8').replaceAll('@LAB@', '/run/lab').replaceAll('@EXAMPLES@', '/opt/examples');
  t.equal(parseConfig(lab, 'lab.conf').timeouts.hbTimeout, 1000);
});

// Every configuration the repository ships, with the lab's placeholders as src/host/lab/lab.ts fills them.
const repo = path.resolve(__dirname, '..', '..');
const shipped = ['rootfs/opt/pairha/etc/clp.conf', 'src/host/lab/examples/lab.conf', 'src/host/lab/examples/campaign.conf', 'test/fixtures/config/valid.conf',
  ...fs.readdirSync(path.join(repo, 'bench')).filter((f) => f.endsWith('.conf')).map((f) => `bench/${f}`)];

t.test('every shipped configuration loads', async (t) => {
  for (const f of shipped) {
    const text = fs.readFileSync(path.join(repo, f), 'utf8').replaceAll('@LAB@', '/run/lab').replaceAll('@EXAMPLES@', '/opt/examples');
    t.doesNotThrow(() => parseConfig(text, path.join(repo, f)), f);
  }
});

t.test('defaults and cross-references', async (t) => {
  const c = parseConfig(fs.readFileSync(path.join(fixtures, 'valid.conf'), 'utf8'), '/etc/pairha/clp.conf');
  t.equal(c.cluster.keyFile, '/etc/pairha/cluster.key', 'key file relative to the config');
  t.same(c.ports, { internal: 29001, dataTransfer: 29002, heartbeat: 29002, alertSync: 29003, manager: 29003, mirrorAgent: 29004, mirrorDriver: 29005 }, 'seed §8 ports');
  const hb = c.heartbeats[0];
  t.equal(hb.type === 'lanhb' && hb.port, 29002);
  const fip = c.resources.find((r) => r.name === 'fip1')!;
  t.same(fip.type === 'fip' && [fip.address, fip.prefix], ['10.0.0.100', 24]);
  t.equal(c.monitors[0].params.targets, '10.0.0.254');
  t.equal(c.groups[0].autoFailback, false);
});

const invalid = path.join(fixtures, 'invalid');
const cases = fs.readdirSync(invalid).filter((f) => f.endsWith('.conf')).sort();

t.test(`each of ${cases.length} invalid configurations is refused with its precise message`, async (t) => {
  t.ok(cases.length >= 30, 'at least 30 cases');
  for (const f of cases) {
    const expect = fs.readFileSync(path.join(invalid, f.replace(/\.conf$/, '.expect')), 'utf8').trimEnd();
    try {
      parseConfig(fs.readFileSync(path.join(invalid, f), 'utf8'), f);
      t.fail(`${f} was accepted`);
    } catch (e) {
      t.ok(e instanceof ConfigError, `${f}: a ConfigError`);
      t.equal((e as ConfigError).event, 13);
      t.equal((e as Error).message, expect, f);
      for (const p of (e as ConfigError).errors) t.match(p.file, f);
    }
  }
});

t.test('missing file is event 14, unknown local server 15, key checks', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  t.throws(() => loadConfig(path.join(dir, 'none.conf')), { event: 14, message: /none\.conf:0: configuration file does not exist/ });
  const file = path.join(dir, 'clp.conf');
  fs.copyFileSync(path.join(fixtures, 'valid.conf'), file);
  const c = loadConfig(file);
  t.throws(() => findLocalServer(c, 'server7'), { event: 15, message: /this server 'server7' is not in the configuration/ });
  t.equal(findLocalServer(c, 'server2').index, 1);
  t.throws(() => loadKey(c), { event: 13, message: /cluster\.key:0: \[cluster\] key_file: cannot read the cluster key/ });
  fs.writeFileSync(c.cluster.keyFile, 'short', { mode: 0o600 });
  t.throws(() => loadKey(c), /has 5 bytes; at least 16/);
  fs.writeFileSync(c.cluster.keyFile, 'a-long-enough-cluster-key');
  fs.chmodSync(c.cluster.keyFile, 0o644);
  const keyError = (reason: string) => ({ event: 13, message: `${c.cluster.keyFile}:0: [cluster] key_file: ${reason}` });
  t.throws(() => loadKey(c), keyError('the cluster key is open to group or others (mode 644); chmod 600 it'));
  fs.chmodSync(c.cluster.keyFile, 0o640);
  t.throws(() => loadKey(c), keyError('the cluster key is open to group or others (mode 640); chmod 600 it'), 'group-readable');
  fs.chmodSync(c.cluster.keyFile, 0o600);
  t.equal(loadKey(c).toString(), 'a-long-enough-cluster-key');
  const self = process.getuid!();
  // Another owner: only root can give the file away; as another user, the test's own uid is accepted.
  if (self === 0) {
    fs.chownSync(c.cluster.keyFile, 4242, 0);
    t.throws(() => loadKey(c), keyError('the cluster key is owned by uid 4242; it must be owned by root; chown root it'));
    fs.chownSync(c.cluster.keyFile, 0, 0);
    t.equal(loadKey(c).toString(), 'a-long-enough-cluster-key', 'owned by root');
  }
  fs.chmodSync(c.cluster.keyFile, 0o400);
  t.equal(loadKey(c).toString(), 'a-long-enough-cluster-key', 'read-only for its owner');
});

t.test('random garbage never throws anything but ConfigError', async (t) => {
  const text = fs.readFileSync(path.join(fixtures, 'valid.conf'), 'utf8');
  for (let i = 0; i < 300; i++) {
    const chars = text.split('');
    for (let j = 0; j < 5; j++) chars[Math.floor(Math.random() * chars.length)] = String.fromCharCode(32 + Math.floor(Math.random() * 95));
    try { parseConfig(chars.join(''), 'fuzz.conf'); } catch (e) { if (!(e instanceof ConfigError)) { t.fail(`threw ${(e as Error).stack}`); return; } }
  }
  t.pass('300 mutated files');
});

t.test('values as the one reader reads them: quotes, comments, escapes', async (t) => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'], ['  spaced  ', 'spaced'], ['a ; comment', 'a'], ['a # comment', 'a'], ['a\\;b', 'a;b'], ['a\\#b', 'a#b'],
    ['"quoted ; kept"', 'quoted ; kept'], ['"tab\\there"', 'tab\there'], ["'single # kept'", 'single # kept'], ['', ''], ['"', '"'],
  ];
  for (const [text, value] of cases) t.equal(iniValue(text), value, JSON.stringify(text));
  const c = parseConfig('[cluster]\nname = "my cluster"\nkey_file = k\n[server s1]\n', '/etc/clp.conf');
  t.equal(c.cluster.name, 'my cluster');
});
