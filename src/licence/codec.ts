// A licence (seed §4, clplcncs): a small text document signed with Ed25519. The signature
// covers every byte before its own line, so the file is checked exactly as it was issued.
// The image ships only public keys (docs/licences.md); the vendor keeps the private one.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The seed's product ids (§4, §11.1): the cluster editions and the FastSync option. */
export const products = {
  SE30: 'CLUSTERPRO SE 3.0 (shared disk)',
  XE30: 'CLUSTERPRO XE 3.0 (shared disk, no COM heartbeat)',
  LE30: 'CLUSTERPRO LE 3.0 (data mirror)',
  FSO30: 'FastSync Option 3.0 (differential mirror recovery)',
} as const;
export type ProductId = keyof typeof products;
export const isProduct = (s: string): s is ProductId => Object.hasOwn(products, s);

export type LicenceKind = 'product' | 'trial';

export interface Licence {
  product: ProductId;
  kind: LicenceKind;
  /** CPUs the licence covers (the seed's "number of license"). */
  count: number;
  /** Trials only: the first and last valid day (UTC, inclusive), YYYY-MM-DD. */
  validFrom?: string;
  validUntil?: string;
  /** Bound to one box when set (its DMI serial). */
  serial?: string;
  issuedTo: string;
  /** Unique per issued licence; names the registered file. */
  id: string;
}

/** What is wrong with a licence; `status` is what the runtime reports (rm 54-56, 59). */
export type LicenceStatus = 'unknown' | 'invalid' | 'expired' | 'not-yet-valid' | 'wrong-product';

export class LicenceError extends Error {
  constructor(readonly file: string, readonly status: LicenceStatus, what: string) {
    super(`${file}: ${what}`);
  }
}

const HEADER = '# pairha licence 1';
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The fields in file order: the key as written, how it is read, whether it must be there. */
const fields: Array<{ key: string; prop: keyof Licence; read: (v: string) => string | number | undefined; must: boolean; what: string }> = [
  { key: 'product', prop: 'product', read: (v) => (isProduct(v) ? v : undefined), must: true, what: `one of ${Object.keys(products).join(', ')}` },
  { key: 'kind', prop: 'kind', read: (v) => (v === 'product' || v === 'trial' ? v : undefined), must: true, what: 'product or trial' },
  { key: 'count', prop: 'count', read: (v) => (/^[1-9]\d{0,3}$/.test(v) ? Number(v) : undefined), must: true, what: 'a whole number of CPUs from 1 to 9999' },
  { key: 'valid-from', prop: 'validFrom', read: (v) => (isDate(v) ? v : undefined), must: false, what: 'a date YYYY-MM-DD' },
  { key: 'valid-until', prop: 'validUntil', read: (v) => (isDate(v) ? v : undefined), must: false, what: 'a date YYYY-MM-DD' },
  { key: 'serial', prop: 'serial', read: (v) => (/^[\x21-\x7e]{1,64}$/.test(v) ? v : undefined), must: false, what: '1 to 64 printable characters without spaces' },
  { key: 'issued-to', prop: 'issuedTo', read: (v) => (/^[\x20-\x7e]{1,80}$/.test(v) ? v : undefined), must: true, what: '1 to 80 printable ASCII characters' },
  { key: 'id', prop: 'id', read: (v) => (/^[0-9a-f]{16}$/.test(v) ? v : undefined), must: true, what: '16 lowercase hex digits' },
];

function isDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.getUTCDate() === Number(m[3]) && d.getUTCMonth() + 1 === Number(m[2]);
}

/** The signed part of a licence: the header and its fields, one `key = value` a line. */
export function encodeBody(l: Licence): string {
  const lines = [HEADER];
  for (const f of fields) {
    const v = l[f.prop];
    if (v !== undefined) lines.push(`${f.key} = ${v}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Issue: the body and its signature line (host tools and tests hold the private key). */
export function signLicence(l: Licence, privateKey: KeyObject): string {
  const body = encodeBody(l);
  const text = `${body}signature = ${sign(null, Buffer.from(body), privateKey).toString('base64')}\n`;
  parseLicence(text, '<new licence>'); // the issuer is held to the reader's rules
  return text;
}

/** Parse a licence's text; every error names the file and the line. Does not verify. */
export function parseLicence(text: string, file: string): { licence: Licence; body: Buffer; signature: Buffer } {
  const bad = (line: number | undefined, what: string) => new LicenceError(file, 'unknown', `${line ? `line ${line}: ` : ''}${what}`);
  if (text.length > 4096) throw bad(undefined, `too long (${text.length} bytes, a licence is under 4096)`);
  const lines = text.split('\n');
  if (lines[0] !== HEADER) throw bad(1, `not a pairha licence (the first line must be '${HEADER}')`);
  const l: Partial<Record<keyof Licence, string | number>> = {};
  let signature: Buffer | undefined;
  let bodyEnd = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw === '' && i === lines.length - 1) break; // the final newline
    if (signature) throw bad(i + 1, 'text after the signature line');
    const m = /^([a-z-]+) = (.*)$/.exec(raw);
    if (!m) throw bad(i + 1, `expected 'key = value', got '${printable(raw)}'`);
    const [, key, value] = m;
    if (key === 'signature') {
      const sig = Buffer.from(value, 'base64');
      if (sig.length !== 64 || sig.toString('base64') !== value) throw bad(i + 1, 'the signature is not 64 bytes of base64');
      signature = sig;
      bodyEnd = lines.slice(0, i).join('\n').length + 1;
      continue;
    }
    const f = fields.find((x) => x.key === key);
    if (!f) throw bad(i + 1, `unknown key '${key}'`);
    if (l[f.prop] !== undefined) throw bad(i + 1, `'${key}' given twice`);
    const v = f.read(value);
    if (v === undefined) throw bad(i + 1, `${key} '${printable(value)}' is not ${f.what}`);
    l[f.prop] = v;
  }
  if (!signature) throw bad(undefined, 'no signature line (it must be the last line)');
  const licence = l as unknown as Licence;
  check(licence, file);
  return { licence, body: Buffer.from(text.slice(0, bodyEnd)), signature };
}

/** What the fields must say together. */
function check(l: Licence, file: string): void {
  const bad = (what: string) => new LicenceError(file, 'unknown', what);
  for (const f of fields) if (f.must && l[f.prop] === undefined) throw bad(`'${f.key}' is missing`);
  if (l.kind === 'trial' && (!l.validFrom || !l.validUntil)) throw bad('a trial licence needs valid-from and valid-until');
  if (l.kind === 'product' && (l.validFrom || l.validUntil)) throw bad('a product licence has no valid-from or valid-until (only trials expire)');
  if (l.validFrom && l.validUntil && l.validFrom > l.validUntil) throw bad(`valid-from ${l.validFrom} is after valid-until ${l.validUntil}`);
}

const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 60);

/** The trusted public keys: every *.pub (PEM, Ed25519) in dir. A key that cannot be read is
 * an error naming it: a broken trust store must not pass for an empty one. */
export function loadTrustedKeys(dir: string): KeyObject[] {
  let names: string[];
  try { names = fs.readdirSync(dir).filter((n) => n.endsWith('.pub')).sort(); } catch (e) {
    throw new Error(`trusted licence keys: cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return names.map((n) => {
    const file = path.join(dir, n);
    try {
      const k = createPublicKey(fs.readFileSync(file));
      if (k.asymmetricKeyType !== 'ed25519') throw new Error(`a ${k.asymmetricKeyType} key, not ed25519`);
      return k;
    } catch (e) { throw new Error(`trusted licence key ${file}: ${(e as Error).message}`); }
  });
}

/** Everything that makes a licence usable on this box today, each failure its own error. */
export interface VerifyOptions {
  keys: KeyObject[];
  /** The trusted keys' directory, for the error text. */
  keysDir: string;
  now: Date;
  /** This box's serial; undefined when it cannot be read. */
  serial?: string;
  /** The product it must be (clplcncs -p). */
  product?: ProductId;
}

export function verifyLicence(text: string, file: string, o: VerifyOptions): Licence {
  const { licence: l, body, signature } = parseLicence(text, file);
  if (!o.keys.length) throw new LicenceError(file, 'invalid', `no trusted public key in ${o.keysDir} to verify it with`);
  if (!o.keys.some((k) => verify(null, body, k, signature))) throw new LicenceError(file, 'invalid', `bad signature (no trusted key in ${o.keysDir} signed it)`);
  if (o.product && l.product !== o.product) throw new LicenceError(file, 'wrong-product', `a licence for ${l.product}, not ${o.product}`);
  if (l.serial !== undefined && l.serial !== o.serial) {
    throw new LicenceError(file, 'invalid', o.serial === undefined ? `bound to box serial ${l.serial}, and this box's serial cannot be read` : `bound to box serial ${l.serial}, this box is ${o.serial}`);
  }
  const today = o.now.toISOString().slice(0, 10);
  if (l.validUntil && today > l.validUntil) throw new LicenceError(file, 'expired', `the trial expired: valid until ${seedDate(l.validUntil)}`);
  if (l.validFrom && today < l.validFrom) throw new LicenceError(file, 'not-yet-valid', `the trial is valid from ${seedDate(l.validFrom)}`);
  return l;
}

/** Dates as the seed writes them (rm 51: `Period of trial is till 2003/09/30.`). */
export const seedDate = (d: string) => d.replaceAll('-', '/');
