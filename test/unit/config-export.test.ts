// `pairha config export-sh`: what the boot scripts source instead of reading clp.conf.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { exportSh, shellQuote } from '../../src/config/export-sh';
import { loadConfig, parseConfig } from '../../src/config';

const repo = path.resolve(__dirname, '..', '..');
const example = path.join(repo, 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf');
const bootD = path.join(repo, 'rootfs', 'etc', 'boot.d');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-sh-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const pairha = (...args: string[]) => {
  const r = spawnSync(path.join(repo, 'bin', 'pairha'), ['config', 'export-sh', ...args], { encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
/** Source `settings` (and the steps) in sh, then run `script`; stubs record commands. */
const sh = (settings: string, script: string) => {
  const file = path.join(dir, 'settings.sh');
  fs.writeFileSync(file, settings);
  const stubs = 'ip() { echo "ip $*"; }; modprobe() { echo "modprobe $*"; }; boot_warn() { echo "warning: $*"; }';
  const r = spawnSync('sh', ['-c', `${stubs}; . ${shellQuote(file)}; ${script}`], { encoding: 'utf8', cwd: dir });
  return r.stdout + r.stderr;
};

t.test('values of the example, this server\'s LAN addresses in heartbeat order', async (t) => {
  const r = pairha('--config', example, '--server', 'server2');
  t.equal(r.code, 0);
  t.equal(r.err, '');
  t.equal(r.out, [
    'PAIRHA_CONFIG_OK=true', "PAIRHA_SERVER='server2'", "PAIRHA_HB_TIMEOUT='30000'", "PAIRHA_WATCHDOG_ENABLED='true'",
    "PAIRHA_WATCHDOG_MARGIN='20000'", "PAIRHA_LAN_ADDRESSES='lanhb1 192.168.100.2\nlanhb2 10.0.0.2'", '',
  ].join('\n'));
  t.equal(sh(r.out, `. ${bootD}/60-network.sh; . ${bootD}/70-watchdog.sh`), [
    'ip link set lo up', 'ip addr add 192.168.100.2/24 dev eth0', 'ip link set eth0 up',
    'ip addr add 10.0.0.2/24 dev eth1', 'ip link set eth1 up', 'modprobe softdog soft_margin=20', '',
  ].join('\n'), 'the boot steps use them');
});

t.test('defaults are the runtime\'s: margin unset is hb_timeout; no file is the schema\'s defaults', async (t) => {
  const text = fs.readFileSync(example, 'utf8').replace(/^\[watchdog\][^[]*/m, '');
  const c = parseConfig(text, example);
  t.equal(c.watchdog.margin, 30000);
  t.match(exportSh(c, 'server1'), /^PAIRHA_WATCHDOG_MARGIN='30000'$/m);
  const r = pairha('--config', path.join(dir, 'none.conf'), '--server', 'server1');
  t.equal(r.code, 14, 'missing file: event 14');
  t.equal(r.err, `${path.join(dir, 'none.conf')}:0: configuration file does not exist\n`);
  t.match(r.out, /^PAIRHA_CONFIG_OK=false$/m);
  t.match(r.out, /^PAIRHA_HB_TIMEOUT='90000'$/m, 'schema default of hb_timeout');
  t.match(r.out, /^PAIRHA_WATCHDOG_MARGIN='90000'$/m, 'the watchdog margin agrees with it');
  t.equal(sh(r.out, `. ${bootD}/60-network.sh; . ${bootD}/70-watchdog.sh`), 'ip link set lo up\nmodprobe softdog soft_margin=90\n', 'no address, softdog');
});

t.test('an invalid configuration: the precise error, non-zero, and the fallback values', async (t) => {
  const file = path.join(dir, 'bad.conf');
  fs.writeFileSync(file, fs.readFileSync(example, 'utf8').replace('hb_timeout = 30000', 'hb_timeout = soon'));
  const line = fs.readFileSync(file, 'utf8').split('\n').indexOf('hb_timeout = soon') + 1;
  const r = pairha('--config', file, '--server', 'server1');
  t.equal(r.code, 13);
  t.equal(r.err, `${file}:${line}: [timeouts] hb_timeout: 'soon' is not an integer\n`);
  t.match(r.out, /^PAIRHA_CONFIG_OK=false$/m);
  t.match(r.out, /^PAIRHA_LAN_ADDRESSES=''$/m);
  t.equal(pairha('import-sh').code, 2, 'unknown verb: usage');
});

t.test('hostile values stay values', async (t) => {
  const c = loadConfig(example);
  for (const server of ["it's", 'a"b', '$(touch pwned)', '`touch pwned`', 'x\ny', "'; touch pwned; '", '\\', '']) {
    t.equal(sh(exportSh(c, server), 'printf %s "$PAIRHA_SERVER"'), server, JSON.stringify(server));
  }
  t.notOk(fs.existsSync(path.join(dir, 'pwned')), 'nothing ran');
});
