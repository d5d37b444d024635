// clplcncs (seed §4, §11.1 (3)): register, list and delete this box's licences. Works on
// the licence directory alone, like the seed's: the runtime need not run.
import * as os from 'node:os';
import { isProduct, products, seedDate, type ProductId } from '../../licence/codec';
import { usable, verdict, type Verdict } from '../../licence/check';
import { register, registered, unregister, verifyOptions, type Registered } from '../../licence/store';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../context';

const productList = Object.keys(products).join(', ');

function product(v: string | boolean | undefined): ProductId | undefined {
  if (v === undefined) return undefined;
  if (!isProduct(String(v))) throw new UsageError(`unknown product '${v}' (${productList})`);
  return v as ProductId;
}

const period = (from?: string, until?: string) => (from && until ? ` ${seedDate(from)}-${seedDate(until)}` : '');

/** One line per registered file: what it is and whether it is usable today. */
function entryLine(e: Registered): string {
  const l = e.licence;
  const what = l ? `${l.kind}${period(l.validFrom, l.validUntil)}, ${l.count} CPU, issued to ${l.issuedTo}${l.serial ? `, box ${l.serial}` : ''}` : 'unreadable';
  return `  ${l?.id ?? '-'.repeat(16)}  ${what}: ${e.error ? e.error.message.replace(`${e.file}: `, '') : 'valid'}\n`;
}

function inEffect(v: Verdict): string {
  switch (v.kind) {
    case 'product': return `product, ${v.count} CPU${v.missing ? ` (${v.missing} short of this box's CPUs)` : ''}`;
    case 'trial': return `trial until ${seedDate(v.until)}`;
    case 'expired': return `none (trial expired ${seedDate(v.date)})`;
    case 'not-yet-valid': return `none (trial valid from ${seedDate(v.date)})`;
    case 'none': return 'none (not registered)';
    default: return `none (${v.kind})`;
  }
}

export const clplcncs: Command = {
  summary: 'register, list or delete licences',
  usage: `clplcncs -i FILE -p PRODUCT   register the licence in FILE
clplcncs -l [-p PRODUCT]      list the registered licences (exit 1 when PRODUCT has none in effect)
clplcncs -d -p PRODUCT        delete every licence of PRODUCT
  PRODUCT: ${productList}`,
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [
      { names: ['-i'], key: 'i', value: true }, { names: ['-l'], key: 'l' }, { names: ['-d'], key: 'd' }, { names: ['-p'], key: 'p', value: true },
    ]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const actions = ['i', 'l', 'd'].filter((k) => opts[k] !== undefined);
    if (actions.length !== 1) throw new UsageError('give exactly one of -i FILE, -l, -d');
    const p = product(opts.p);
    const dir = ctx.paths.license;
    if (opts.i !== undefined) {
      if (!p) throw new UsageError('-i FILE needs -p PRODUCT');
      const r = register(dir, String(opts.i), p, verifyOptions(ctx.paths, new Date()));
      ctx.out(`registered ${opts.i} as ${r.file} (${r.licence.product}, ${r.licence.kind}, ${r.licence.count} CPU)\n`);
      ctx.out('the cluster uses it from its next start (seed §4: clpstdn, then start every server again)\n');
      ctx.out('Command succeeded.\n');
      return 0;
    }
    if (opts.d) {
      if (!p) throw new UsageError('-d needs -p PRODUCT');
      const gone = unregister(dir, p);
      if (!gone.length) { ctx.err(`clplcncs: no licence of ${p} is registered in ${dir}\n`); return 1; }
      ctx.out(`deleted ${gone.length} licence(s) of ${p}\nCommand succeeded.\n`);
      return 0;
    }
    const o = verifyOptions(ctx.paths, new Date());
    let code = 0;
    for (const id of p ? [p] : (Object.keys(products) as ProductId[])) {
      const entries = registered(dir, o, id);
      if (!p && !entries.length) continue;
      const v = verdict(entries, os.availableParallelism());
      if (!usable(v)) code = p ? 1 : 0;
      ctx.out(`< ${id} : ${products[id]} >\n`);
      for (const e of entries) ctx.out(entryLine(e));
      ctx.out(`  in effect: ${inEffect(v)}\n`);
    }
    if (!p && code === 0 && !registered(dir, o).length) ctx.out(`no licence registered in ${dir}\n`);
    return code;
  },
};
