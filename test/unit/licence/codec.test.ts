// Licences: the document, its Ed25519 signature with keys the test makes, every refusal
// (each naming the file and what is wrong), the licence directory, and what the check reports.
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import type { EventArg, EventId } from '../../../src/events/types';
import { ensureKeyPair, issue, readPrivateKey } from '../../../src/host/licence';
import { checkLicences, clusterVerdict, needed, verdict } from '../../../src/licence/check';
import { LicenceError, loadTrustedKeys, parseLicence, verifyLicence, type Licence, type LicenceStatus, type VerifyOptions } from '../../../src/licence/codec';
import { register, registered, unregister, type Registered } from '../../../src/licence/store';
import { resolvePaths } from '../../../src/constants';
import { nullLogger } from '../../../src/logger';
import { resourceSection, testConfig } from '../../helpers/config';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'licence-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const keys = ensureKeyPair(path.join(root, 'keys'));
const key = readPrivateKey(keys.privateFile);
const trusted = path.join(root, 'keys');
const opts = (o: Partial<VerifyOptions> = {}): VerifyOptions => ({ keys: loadTrustedKeys(trusted), keysDir: trusted, now: new Date('2026-12-06T12:00:00Z'), serial: 'BOX1', ...o });
const product = issue(key, { product: 'SE30', kind: 'product', count: 2, issuedTo: 'ACME' });
const trial = (from: string, until: string, p: 'SE30' | 'LE30' | 'FSO30' = 'SE30') => issue(key, { product: p, kind: 'trial', count: 2, validFrom: from, validUntil: until });

t.test('a licence reads back as issued and verifies', async (t) => {
  const l = verifyLicence(product, 'a.lic', opts());
  t.match(l, { product: 'SE30', kind: 'product', count: 2, issuedTo: 'ACME' });
  t.match(l.id, /^[0-9a-f]{16}$/);
  t.match(product, /^# pairha licence 1\nproduct = SE30\nkind = product\ncount = 2\nissued-to = ACME\nid = [0-9a-f]{16}\nsignature = [A-Za-z0-9+/]{86}==\n$/);
  t.equal(verifyLicence(trial('2026-12-01', '2026-12-06'), 't.lic', opts()).validUntil, '2026-12-06', 'the last day is still valid');
  const bound = issue(key, { product: 'LE30', kind: 'product', count: 4, serial: 'BOX1' });
  t.equal(verifyLicence(bound, 'b.lic', opts({ product: 'LE30' })).serial, 'BOX1', 'bound to this box');
});

t.test('malformed documents: the file, the line, what is wrong', async (t) => {
  const sig = product.split('\n').find((l) => l.startsWith('signature'))!;
  const cases: Array<[string, string, RegExp]> = [
    ['not a licence', 'hello\n', /^x\.lic: line 1: not a pairha licence/],
    ['no signature', product.replace(/signature = .*\n/, ''), /^x\.lic: no signature line/],
    ['short signature', product.replace(/signature = .*/, 'signature = AAAA'), /^x\.lic: line 7: the signature is not 64 bytes of base64/],
    ['text after the signature', `${product}count = 3\n`, /^x\.lic: line 8: text after the signature line/],
    ['not key = value', product.replace('count = 2', 'count: 2'), /^x\.lic: line 4: expected 'key = value', got 'count: 2'/],
    ['unknown key', product.replace('count = 2', 'cpus = 2'), /^x\.lic: line 4: unknown key 'cpus'/],
    ['twice', product.replace('count = 2', 'count = 2\ncount = 3'), /^x\.lic: line 5: 'count' given twice/],
    ['unknown product', product.replace('SE30', 'ZE30'), /^x\.lic: line 2: product 'ZE30' is not one of SE30, XE30, LE30, FSO30/],
    ['bad kind', product.replace('kind = product', 'kind = free'), /^x\.lic: line 3: kind 'free' is not product or trial/],
    ['bad count', product.replace('count = 2', 'count = 0'), /^x\.lic: line 4: count '0' is not a whole number/],
    ['bad date', trial('2026-12-01', '2026-12-31').replace('2026-12-31', '2026-02-30'), /^x\.lic: line 6: valid-until '2026-02-30' is not a date YYYY-MM-DD/],
    ['missing key', product.replace(/issued-to = .*\n/, ''), /^x\.lic: 'issued-to' is missing/],
    ['trial without end', trial('2026-12-01', '2026-12-31').replace(/valid-until = .*\n/, ''), /^x\.lic: a trial licence needs valid-from and valid-until/],
    ['product with dates', product.replace('count = 2\n', 'count = 2\nvalid-until = 2026-12-31\n'), /^x\.lic: a product licence has no valid-from or valid-until/],
    ['dates reversed', trial('2026-12-01', '2026-12-31').replace('valid-from = 2026-12-01', 'valid-from = 2027-01-01'), /^x\.lic: valid-from 2027-01-01 is after valid-until 2026-12-31/],
    ['too long', `${'#'.repeat(5000)}\n${sig}\n`, /^x\.lic: too long \(\d+ bytes, a licence is under 4096\)$/],
  ];
  // What fn throws (undefined when it does not): t.throws' types take no { status } pattern.
  const thrown = (fn: () => unknown): unknown => { try { fn(); } catch (e) { return e; } return undefined; };
  for (const [what, text, err] of cases) {
    t.throws(() => parseLicence(text, 'x.lic'), err, what);
    t.match(thrown(() => verifyLicence(text, 'x.lic', opts())), { status: 'unknown' }, `${what}: status unknown (rm 56)`);
  }
});

t.test('refusals of a well-formed licence: signature, product, serial, dates', async (t) => {
  const other = generateKeyPairSync('ed25519').privateKey;
  const err = (text: string, o: Partial<VerifyOptions>) => { try { verifyLicence(text, 'x.lic', opts(o)); } catch (e) { return e as LicenceError; } throw new Error('accepted'); };
  t.match(err(issue(other, { product: 'SE30', kind: 'product', count: 2 }), {}), { status: 'invalid', message: `x.lic: bad signature (no trusted key in ${trusted} signed it)` });
  t.match(err(product.replace('count = 2', 'count = 8'), {}), { status: 'invalid', message: /bad signature/ }, 'a changed count breaks the signature');
  t.match(err(product, { keys: [] }), { status: 'invalid', message: `x.lic: no trusted public key in ${trusted} to verify it with` });
  t.match(err(product, { product: 'LE30' }), { status: 'wrong-product', message: 'x.lic: a licence for SE30, not LE30' });
  const bound = issue(key, { product: 'SE30', kind: 'product', count: 2, serial: 'BOX9' });
  t.match(err(bound, {}), { status: 'invalid', message: 'x.lic: bound to box serial BOX9, this box is BOX1' });
  t.match(err(bound, { serial: undefined }), { status: 'invalid', message: "x.lic: bound to box serial BOX9, and this box's serial cannot be read" });
  t.match(err(trial('2026-11-01', '2026-12-05'), {}), { status: 'expired', message: 'x.lic: the trial expired: valid until 2026/12/05' });
  t.match(err(trial('2026-12-07', '2026-12-31'), {}), { status: 'not-yet-valid', message: 'x.lic: the trial is valid from 2026/12/07' });
});

t.test('trusted keys: a broken or foreign key file is an error naming it', async (t) => {
  const dir = path.join(root, 'bad-keys');
  t.throws(() => loadTrustedKeys(dir), { message: `trusted licence keys: cannot read ${dir}: ENOENT` });
  fs.mkdirSync(dir);
  t.same(loadTrustedKeys(dir), [], 'an empty directory trusts nothing');
  fs.writeFileSync(path.join(dir, 'x.pub'), 'not pem');
  t.throws(() => loadTrustedKeys(dir), { message: new RegExp(`^trusted licence key ${dir}/x.pub: `) });
  fs.writeFileSync(path.join(dir, 'x.pub'), generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }));
  t.throws(() => loadTrustedKeys(dir), { message: `trusted licence key ${dir}/x.pub: a ec key, not ed25519` });
});

t.test('the licence directory: register, list by product, delete', async (t) => {
  const dir = path.join(root, 'store');
  const src = path.join(root, 'se.lic');
  fs.writeFileSync(src, product);
  t.same(registered(dir, opts()), [], 'no directory yet: nothing registered');
  const r = register(dir, src, 'SE30', opts());
  t.equal(path.dirname(r.file), dir);
  t.match(path.basename(r.file), /^SE30-[0-9a-f]{16}\.lic$/);
  t.equal(fs.readFileSync(r.file, 'utf8'), product, 'stored byte for byte');
  t.throws(() => register(dir, src, 'SE30', opts()), { message: `${src}: licence ${r.licence.id} is already registered (${r.file})` });
  t.throws(() => register(dir, src, 'XE30', opts()), { message: `${src}: a licence for SE30, not XE30` });
  t.throws(() => register(dir, path.join(root, 'none.lic'), 'SE30', opts()), { message: `${path.join(root, 'none.lic')}: cannot be read: ENOENT` });
  fs.writeFileSync(path.join(dir, 'LE30-broken.lic'), 'garbage\n');
  t.same(registered(dir, opts(), 'SE30').map((e) => [e.file, e.error]), [[r.file, undefined]]);
  const le = registered(dir, opts(), 'LE30');
  t.equal(le.length, 1, 'an unreadable file counts under the product its name gives');
  t.match(le[0].error, { status: 'unknown' });
  t.same(unregister(dir, 'SE30'), [r.file]);
  t.same(unregister(dir, 'SE30'), []);
});

t.test('verdicts and the events of the check (rm 50-59, mdadm 8-15)', async (t) => {
  const dir = path.join(root, 'check');
  const put = (name: string, text: string) => { fs.mkdirSync(dir, { recursive: true }); fs.writeFileSync(path.join(dir, name), text); };
  const paths = { ...resolvePaths({ PAIRHA_ROOT: root, PAIRHA_LICENSE: dir, PAIRHA_TRUSTED_KEYS: trusted, PAIRHA_SERIAL_FILE: path.join(root, 'serial') }) };
  const now = new Date('2026-12-06T12:00:00Z');
  const run = (config = testConfig(), cpus = 2) => {
    const got: string[] = [];
    const events = { emit: ({ type, id }: EventId, ...a: EventArg[]) => { got.push(`${type} ${id} ${a.join(' ')}`); } };
    const r = checkLicences({ config, paths, events, log: nullLogger }, now, cpus);
    return { ...r, got };
  };
  t.match(run(), { ok: false, product: 'SE30', got: ['rm 53 SE30'], why: 'the licence of SE30 is not registered (clplcncs -l -p SE30)' });
  put('SE30-t.lic', trial('2026-11-01', '2026-12-05'));
  t.match(run(), { ok: false, got: ['rm 54 2026/12/05 SE30'] }, 'expired trial');
  put('SE30-t.lic', trial('2026-12-10', '2026-12-31'));
  t.match(run(), { ok: false, got: ['rm 59 2026/12/10 SE30'] }, 'trial not yet valid');
  put('SE30-t.lic', issue(generateKeyPairSync('ed25519').privateKey, { product: 'SE30', kind: 'product', count: 2 }));
  t.match(run(), { ok: false, got: ['rm 55 SE30'] }, 'a foreign signature is invalid');
  put('SE30-t.lic', 'garbage\n');
  t.match(run(), { ok: false, got: ['rm 56 SE30'] }, 'an unreadable licence is unknown');
  put('SE30-t.lic', trial('2026-12-01', '2026-12-31'));
  t.match(run(), { ok: true, got: ['rm 51 2026/12/31 SE30'] }, 'a running trial: the seed\'s date');
  put('SE30-p.lic', product);
  t.match(run(), { ok: true, got: ['rm 50 2 SE30'] }, 'a product licence wins over the trial (seed §4)');
  t.match(run(testConfig(), 4), { ok: true, got: ['rm 50 2 SE30', 'rm 52 2 SE30'] }, 'two CPUs short: a warning, the cluster runs');
  fs.rmSync(dir, { recursive: true });
  put('XE30-p.lic', issue(key, { product: 'XE30', kind: 'product', count: 4 }));
  t.match(run(), { ok: true, product: 'XE30', got: ['rm 50 4 XE30'] }, 'a shared-disk cluster runs on XE30 too');
  const com = testConfig([['heartbeat comhb1', { type: 'comhb', server1: '/dev/ttyS1', server2: '/dev/ttyS1' }]]);
  t.match(run(com), { ok: false, product: 'SE30', got: ['rm 53 SE30'] }, 'but not with a COM heartbeat (XE has none)');

  const mirror = testConfig([resourceSection('md', 'md1')]);
  t.same(needed(mirror), { cluster: ['LE30'], fastSync: true });
  t.match(run(mirror), { ok: false, product: 'LE30', got: ['rm 53 LE30', 'mdadm 12 FSO30'] });
  put('LE30-p.lic', issue(key, { product: 'LE30', kind: 'product', count: 2 }));
  put('FSO30-t.lic', trial('2026-12-01', '2026-12-31', 'FSO30'));
  t.match(run(mirror), { ok: true, got: ['rm 50 2 LE30', 'mdadm 9 2026/12/31 FSO30'] });
  put('FSO30-t.lic', trial('2026-11-01', '2026-11-30', 'FSO30'));
  t.match(run(mirror), { ok: true, got: ['rm 50 2 LE30', 'mdadm 14 2026/11/30 FSO30'] }, 'FastSync is an option: the cluster still runs');
  put('FSO30-p.lic', issue(key, { product: 'FSO30', kind: 'product', count: 1 }));
  t.match(run(mirror), { ok: true, got: ['rm 50 2 LE30', 'mdadm 8 1 FSO30', 'mdadm 13 1 FSO30'] });
});

t.test('verdict order: an expired trial beside an invalid file reports the expiry', async (t) => {
  const e = (status: LicenceStatus, licence?: Licence): Registered => ({ file: 'f', licence, error: new LicenceError('f', status, status) });
  const expiredTrial: Licence = { product: 'LE30', kind: 'trial', count: 2, validFrom: '2025-12-01', validUntil: '2026-01-01', issuedTo: 'x', id: 'x' };
  t.same(verdict([e('invalid'), e('expired', expiredTrial)], 2), { kind: 'expired', date: '2026-01-01' });
  t.same(verdict([], 2), { kind: 'none' });
  t.same(clusterVerdict(['SE30', 'XE30'], (p) => (p === 'XE30' ? [e('invalid')] : []), 2), { product: 'XE30', verdict: { kind: 'invalid' } }, 'the failing XE30 is more telling than a missing SE30');
});
