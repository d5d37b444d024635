// The registered licences: one file per licence in the licence directory (seed §7 (6), on
// the config partition), named PRODUCT-ID.lic. clplcncs writes them; the runtime reads them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Paths } from '../constants';
import { LicenceError, loadTrustedKeys, parseLicence, verifyLicence, type Licence, type ProductId, type VerifyOptions } from './codec';

export interface Registered {
  file: string;
  /** The licence as parsed, when it parses (even if it does not verify). */
  licence?: Licence;
  /** Why it cannot be used today; undefined when it is valid. */
  error?: LicenceError;
}

/** This box's serial, or undefined when it cannot be read (no DMI, not root). */
export function readSerial(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8').trim() || undefined; } catch { return undefined; }
}

/** What verification needs on this box: the trusted keys, the serial, the time. */
export function verifyOptions(paths: Paths, now: Date): VerifyOptions {
  return { keys: loadTrustedKeys(paths.trustedKeys), keysDir: paths.trustedKeys, now, serial: readSerial(paths.serialFile) };
}

function licenceFiles(dir: string): string[] {
  try { return fs.readdirSync(dir).filter((n) => n.endsWith('.lic')).sort().map((n) => path.join(dir, n)); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read the licence directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Every registered licence, checked; with `product`, only those of that product. */
export function registered(dir: string, o: VerifyOptions, product?: ProductId): Registered[] {
  const out: Registered[] = [];
  for (const file of licenceFiles(dir)) {
    let text: string;
    try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
      out.push({ file, error: new LicenceError(file, 'unknown', `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`) });
      continue;
    }
    let licence: Licence | undefined;
    try { licence = parseLicence(text, file).licence; } catch { /* verifyLicence says why */ }
    // A file whose product cannot be read is counted under the product its name gives.
    const named = licence?.product ?? path.basename(file).split('-')[0];
    if (product && named !== product) continue;
    try { verifyLicence(text, file, o); out.push({ file, licence }); } catch (e) {
      if (!(e instanceof LicenceError)) throw e;
      out.push({ file, licence, error: e });
    }
  }
  return out;
}

/** Register (clplcncs -i FILE -p PRODUCT): verified first, then written atomically. */
export function register(dir: string, source: string, product: ProductId, o: VerifyOptions): { file: string; licence: Licence } {
  let text: string;
  try { text = fs.readFileSync(source, 'utf8'); } catch (e) {
    throw new LicenceError(source, 'unknown', `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const licence = verifyLicence(text, source, { ...o, product });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, `${licence.product}-${licence.id}.lic`);
  if (fs.existsSync(file)) throw new LicenceError(source, 'invalid', `licence ${licence.id} is already registered (${file})`);
  const tmp = `${file}.new`;
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
  return { file, licence };
}

/** Delete every registered licence of product (clplcncs -d -p PRODUCT); returns the files. */
export function unregister(dir: string, product: ProductId): string[] {
  const gone = licenceFiles(dir).filter((f) => path.basename(f).startsWith(`${product}-`));
  for (const f of gone) fs.rmSync(f, { force: true });
  return gone;
}
