// Issuing licences (host only, never in the image): an Ed25519 key pair, licences signed with
// its private key. The lab, the virtual pair and the tests make their own development key;
// a production build ships the vendor's public key alone (docs/licences.md).
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError, parseArgs } from '../../cli/args';
import type { ClusterConfig } from '../../config/types';
import { needed } from '../../licence/check';
import { isProduct, products, signLicence, type Licence, type ProductId } from '../../licence/codec';

export interface KeyPair { privateFile: string; publicFile: string }

/** A key pair in dir (vendor.key 0600, vendor.pub); an existing pair is kept. */
export function ensureKeyPair(dir: string, name = 'vendor'): KeyPair {
  const privateFile = path.join(dir, `${name}.key`), publicFile = path.join(dir, `${name}.pub`);
  if (!fs.existsSync(privateFile) || !fs.existsSync(publicFile)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    fs.writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateFile, publicFile };
}

export const readPrivateKey = (file: string): KeyObject => createPrivateKey(fs.readFileSync(file));

export type LicenceRequest = Omit<Licence, 'id' | 'issuedTo'> & Partial<Pick<Licence, 'id' | 'issuedTo'>>;

/** The text of a new licence (a fresh id unless given). */
export function issue(key: KeyObject, r: LicenceRequest): string {
  const given = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
  return signLicence({ issuedTo: 'pairha development', id: randomBytes(8).toString('hex'), ...given } as Licence, key);
}

/** Write product licences for `products` straight into a licence directory (a box's
 * /opt/pairha/license as clplcncs -i would leave it). */
export function provision(licenceDir: string, key: KeyObject, ids: ProductId[], count: number): void {
  fs.mkdirSync(licenceDir, { recursive: true, mode: 0o755 });
  for (const product of ids) {
    const text = issue(key, { product, kind: 'product', count });
    const id = /^id = (.*)$/m.exec(text)![1];
    fs.writeFileSync(path.join(licenceDir, `${product}-${id}.lic`), text);
  }
}

const usage = `pairha licence keygen DIR     make DIR/vendor.key and DIR/vendor.pub (kept if present)
pairha licence dev-key BUILD  the image's development key (BUILD/licence-dev, BUILD/trusted-keys/dev.pub)
pairha licence issue -k KEY -p PRODUCT [-c CPUS] [--trial FROM UNTIL] [--serial S] [--to NAME] [-o FILE]
  PRODUCT: ${Object.keys(products).join(', ')}; dates YYYY-MM-DD; prints to stdout without -o`;

export async function licenceMain(argv: string[], out = (s: string) => process.stdout.write(s)): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'keygen') {
    if (rest.length !== 1) throw new UsageError(`keygen takes one directory\nusage: ${usage}`);
    const k = ensureKeyPair(rest[0]);
    out(`${k.privateFile}\n${k.publicFile}\n`);
    return 0;
  }
  if (verb === 'dev-key') {
    if (rest.length !== 1) throw new UsageError(`dev-key takes the build directory\nusage: ${usage}`);
    out(`${devImageKey(rest[0]).trustedDir}\n`);
    return 0;
  }
  if (verb !== 'issue') throw new UsageError(`unknown verb '${verb ?? ''}'\nusage: ${usage}`);
  // --trial takes two values: pulled out before the common parser.
  const t = rest.indexOf('--trial');
  const trial = t >= 0 ? rest.splice(t, 3).slice(1) : undefined;
  if (trial && trial.length !== 2) throw new UsageError('--trial needs FROM and UNTIL (YYYY-MM-DD)');
  const { opts, rest: extra } = parseArgs(rest, [
    { names: ['-k'], key: 'k', value: true }, { names: ['-p'], key: 'p', value: true }, { names: ['-c'], key: 'c', value: true },
    { names: ['--serial'], key: 'serial', value: true }, { names: ['--to'], key: 'to', value: true }, { names: ['-o'], key: 'o', value: true },
  ]);
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (!opts.k || !opts.p) throw new UsageError(`-k KEY and -p PRODUCT are needed\nusage: ${usage}`);
  if (opts.c !== undefined && !/^\d+$/.test(String(opts.c))) throw new UsageError(`invalid CPU count '${opts.c}' (a whole number)`);
  const product = String(opts.p);
  if (!isProduct(product)) throw new UsageError(`unknown product '${product}'`);
  const text = issue(readPrivateKey(String(opts.k)), {
    product, kind: trial ? 'trial' : 'product', count: opts.c === undefined ? 2 : Number(opts.c),
    validFrom: trial?.[0], validUntil: trial?.[1], serial: opts.serial as string | undefined, issuedTo: opts.to as string | undefined,
  });
  if (opts.o) fs.writeFileSync(String(opts.o), text); else out(text);
  return 0;
}

/** What a configuration needs licensed to run as before licences existed: its edition, and
 * FastSync with mirror disks. */
export function productsFor(config: ClusterConfig): ProductId[] {
  const n = needed(config);
  return [n.cluster[0], ...(n.fastSync ? ['FSO30' as const] : [])];
}

/** A development key in keysDir and product licences for config in each licence directory:
 * what the lab and the tests give their runtimes. Returns the trusted-keys directory. */
export function provisionDev(config: ClusterConfig, keysDir: string, licenceDirs: string[], cpus = os.availableParallelism()): string {
  const pair = ensureKeyPair(keysDir);
  const trusted = path.join(keysDir, 'trusted');
  fs.mkdirSync(trusted, { recursive: true });
  fs.copyFileSync(pair.publicFile, path.join(trusted, 'vendor.pub'));
  const key = readPrivateKey(pair.privateFile);
  for (const dir of licenceDirs) provision(dir, key, productsFor(config), cpus);
  return trusted;
}

/** The development key of image builds (build/licence-dev) and its public half where
 * image/build.sh takes the trusted keys from (build/trusted-keys/dev.pub, rewritten only
 * when it changed, so an unchanged key does not make the image stale). */
export function devImageKey(buildDir: string): { privateFile: string; trustedDir: string } {
  const pair = ensureKeyPair(path.join(buildDir, 'licence-dev'));
  const trustedDir = path.join(buildDir, 'trusted-keys');
  const pub = fs.readFileSync(pair.publicFile, 'utf8');
  const dest = path.join(trustedDir, 'dev.pub');
  fs.mkdirSync(trustedDir, { recursive: true });
  if (!fs.existsSync(dest) || fs.readFileSync(dest, 'utf8') !== pub) fs.writeFileSync(dest, pub);
  return { privateFile: pair.privateFile, trustedDir };
}
