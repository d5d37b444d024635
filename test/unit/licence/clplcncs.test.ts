// clplcncs as an operator runs it (bin/ on PATH, no runtime needed), with licences issued by
// the host's `pairha licence` from a key the test makes: register, list layouts, delete, errors.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';

const bin = path.resolve(__dirname, '..', '..', '..', 'bin');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clplcncs-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const keys = path.join(root, 'keys');
const env = { ...process.env, PAIRHA_ROOT: root, PAIRHA_TRUSTED_KEYS: keys, PAIRHA_SERIAL_FILE: path.join(root, 'serial') };
const run = (cmd: string, ...args: string[]) => {
  const r = spawnSync(path.join(bin, cmd), args, { env, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const lic = (name: string) => path.join(root, name);
const licDir = path.join(root, 'license');
const today = new Date().toISOString().slice(0, 10);
const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
const slash = (d: string) => d.replaceAll('-', '/');

t.test('pairha licence: keygen and issue (host only)', async (t) => {
  let r = run('pairha', 'licence', 'keygen', keys);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, `${keys}/vendor.key\n${keys}/vendor.pub\n`);
  t.equal(fs.statSync(path.join(keys, 'vendor.key')).mode & 0o777, 0o600, 'the private key is closed');
  const pub = fs.readFileSync(path.join(keys, 'vendor.pub'), 'utf8');
  run('pairha', 'licence', 'keygen', keys);
  t.equal(fs.readFileSync(path.join(keys, 'vendor.pub'), 'utf8'), pub, 'an existing key pair is kept');
  const k = path.join(keys, 'vendor.key');
  t.equal(run('pairha', 'licence', 'issue', '-k', k, '-p', 'SE30', '-c', '2', '--to', 'ACME', '-o', lic('se.lic')).code, 0);
  t.equal(run('pairha', 'licence', 'issue', '-k', k, '-p', 'SE30', '--trial', day(-10), day(20), '-o', lic('trial.lic')).code, 0);
  t.equal(run('pairha', 'licence', 'issue', '-k', k, '-p', 'SE30', '--trial', day(-30), day(-1), '-o', lic('old.lic')).code, 0);
  t.equal(run('pairha', 'licence', 'issue', '-k', k, '-p', 'LE30', '--serial', 'OTHERBOX', '-o', lic('bound.lic')).code, 0);
  r = run('pairha', 'licence', 'issue', '-k', k, '-p', 'FSO30');
  t.match(r.out, /^# pairha licence 1\nproduct = FSO30\nkind = product\ncount = 2\nissued-to = pairha development\n/, 'to stdout without -o');
  r = run('pairha', 'licence', 'issue', '-k', k, '-p', 'SE30', '-c', 'many');
  t.equal(r.code, 2);
  t.match(r.err, /^licence: invalid CPU count 'many' \(a whole number\)/);
  r = run('pairha', 'licence', 'issue', '-k', k, '-p', 'SE30', '-c', '0');
  t.equal(r.code, 1, 'the issuer is held to the reader\'s rules');
  t.match(r.err, /^licence: <new licence>: line 4: count '0' is not a whole number of CPUs from 1 to 9999/);
  t.equal(run('pairha', 'licence', 'issue', '-k', k, '-p', 'ZE30').code, 2);
  t.match(run('pairha', 'licence', 'issue', '-k', k, '-p', 'SE30', '--trial', day(1)).err, /--trial needs FROM and UNTIL/);
  t.notOk(fs.readdirSync(path.resolve(__dirname, '..', '..', '..', 'src', 'cli', 'commands')).some((f) => f.includes('licence')), 'no issuing command on the appliance');
});

t.test('seed §4: a trial, then the product licence; -l shows which is in effect', async (t) => {
  let r = run('clplcncs', '-l', '-p', 'SE30');
  t.equal(r.code, 1, 'nothing in effect: exit 1');
  t.equal(r.out, '< SE30 : CLUSTERPRO SE 3.0 (shared disk) >\n  in effect: none (not registered)\n');
  r = run('clplcncs', '-l');
  t.equal(r.out, `no licence registered in ${licDir}\n`);

  r = run('clplcncs', '-i', lic('trial.lic'), '-p', 'SE30');
  t.equal(r.code, 0, r.err);
  t.match(r.out, new RegExp(`^registered ${lic('trial.lic')} as ${licDir}/SE30-[0-9a-f]{16}\\.lic \\(SE30, trial, 2 CPU\\)\\nthe cluster uses it from its next start \\(seed §4: clpstdn, then start every server again\\)\\nCommand succeeded\\.\\n$`));
  r = run('clplcncs', '-l', '-p', 'SE30');
  t.equal(r.code, 0);
  t.match(r.out, new RegExp(`^< SE30 : CLUSTERPRO SE 3\\.0 \\(shared disk\\) >\\n  [0-9a-f]{16}  trial ${slash(day(-10))}-${slash(day(20))}, 2 CPU, issued to pairha development: valid\\n  in effect: trial until ${slash(day(20))}\\n$`));

  t.equal(run('clplcncs', '-i', lic('se.lic'), '-p', 'SE30').code, 0);
  r = run('clplcncs', '-l', '-p', 'SE30');
  t.match(r.out, /product, 2 CPU, issued to ACME: valid\n/);
  t.match(r.out, /\n  in effect: product, 2 CPU/, 'the product licence is in effect');
  r = run('clplcncs', '-l');
  t.match(r.out, /^< SE30 : /, 'all products: only those with licences');
  t.notMatch(r.out, /LE30/);
});

t.test('refusals name the file and what is wrong; nothing is registered', async (t) => {
  const before = fs.readdirSync(licDir).sort();
  const cases: Array<[string[], number, string | RegExp]> = [
    [['-i', lic('old.lic'), '-p', 'SE30'], 1, `clplcncs: ${lic('old.lic')}: the trial expired: valid until ${slash(day(-1))}\n`],
    [['-i', lic('se.lic'), '-p', 'LE30'], 1, `clplcncs: ${lic('se.lic')}: a licence for SE30, not LE30\n`],
    [['-i', lic('bound.lic'), '-p', 'LE30'], 1, `clplcncs: ${lic('bound.lic')}: bound to box serial OTHERBOX, and this box's serial cannot be read\n`],
    [['-i', lic('none.lic'), '-p', 'SE30'], 1, `clplcncs: ${lic('none.lic')}: cannot be read: ENOENT\n`],
    [['-i', lic('se.lic'), '-p', 'SE30'], 1, /^clplcncs: .*se\.lic: licence [0-9a-f]{16} is already registered/],
    [['-i', lic('se.lic')], 2, /^clplcncs: -i FILE needs -p PRODUCT\nusage: clplcncs /],
    [['-l', '-p', 'SE31'], 2, /^clplcncs: unknown product 'SE31' \(SE30, XE30, LE30, FSO30\)/],
    [['-l', '-d'], 2, /give exactly one of -i FILE, -l, -d/],
    [['-d'], 2, /-d needs -p PRODUCT/],
    [['-d', '-p', 'XE30'], 1, `clplcncs: no licence of XE30 is registered in ${licDir}\n`],
  ];
  for (const [args, code, err] of cases) {
    const r = run('clplcncs', ...args);
    t.equal(r.code, code, args.join(' '));
    if (typeof err === 'string') t.equal(r.err, err); else t.match(r.err, err);
  }
  fs.writeFileSync(path.join(root, 'serial'), 'THISBOX\n');
  t.equal(run('clplcncs', '-i', lic('bound.lic'), '-p', 'LE30').err, `clplcncs: ${lic('bound.lic')}: bound to box serial OTHERBOX, this box is THISBOX\n`);
  const forged = fs.readFileSync(lic('se.lic'), 'utf8').replace('count = 2', 'count = 64');
  fs.writeFileSync(lic('forged.lic'), forged);
  t.equal(run('clplcncs', '-i', lic('forged.lic'), '-p', 'SE30').err, `clplcncs: ${lic('forged.lic')}: bad signature (no trusted key in ${keys} signed it)\n`);
  t.same(fs.readdirSync(licDir).sort(), before, 'the licence directory is unchanged');
});

t.test('a registered licence that stopped being valid is listed with why', async (t) => {
  fs.copyFileSync(lic('old.lic'), path.join(licDir, 'SE30-0000000000000000.lic'));
  fs.writeFileSync(path.join(licDir, 'LE30-broken.lic'), 'garbage\n');
  const r = run('clplcncs', '-l');
  t.equal(r.code, 0);
  t.match(r.out, `trial ${slash(day(-30))}-${slash(day(-1))}, 2 CPU, issued to pairha development: the trial expired: valid until ${slash(day(-1))}\n`);
  t.match(r.out, '< LE30 : CLUSTERPRO LE 3.0 (data mirror) >\n  ----------------  unreadable: line 1: not a pairha licence');
  t.match(r.out, '  in effect: none (unknown)\n');
});

t.test('delete every licence of a product', async (t) => {
  const r = run('clplcncs', '-d', '-p', 'SE30');
  t.equal(r.code, 0);
  t.equal(r.out, 'deleted 3 licence(s) of SE30\nCommand succeeded.\n');
  t.same(fs.readdirSync(licDir), ['LE30-broken.lic']);
  t.equal(today.length, 10);
});
