// The shape of src/ (issue 12, points 1, 4 and 5): no import cycles, the appliance's modules never
// import the host tools, and every control op named only in the protocol file that declares it
// (everything else calls it through the typed op).
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';

const src = path.resolve(__dirname, '..', '..', 'src');
const files = (fs.readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(src, f)).sort();
const rel = (f: string) => path.relative(src, f);

/** Relative imports of a file, type-only and dynamic ones included (both tie modules together). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"](\.[^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.flatMap((s) => {
    const base = path.resolve(path.dirname(file), s);
    const hit = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
    return hit ? [hit] : [];
  });
}

/** Strongly connected components with more than one module (or a module importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next); low.set(v, next++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1 || graph.get(v)!.includes(v)) out.push(scc.map(rel).sort());
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return out;
}

t.test('no import cycles in src/', async (t) => {
  t.same(cycles(new Map(files.map((f) => [f, importsOf(f)]))), [], 'no cycle');
});

t.test('the appliance does not reach the host tools (src/host is left out of the image)', async (t) => {
  const host = path.join(src, 'host') + path.sep;
  const reaching = files.filter((f) => !f.startsWith(host) && importsOf(f).some((i) => i.startsWith(host))).map(rel);
  t.same(reaching, [], 'no module outside src/host imports it');
});

t.test('op names appear only in the protocol files', async (t) => {
  const protocols = files.filter((f) => path.basename(f) === 'protocol.ts');
  const names = new Map<string, string>();
  for (const p of protocols) {
    const mod = (await import(p)) as Record<string, unknown>;
    for (const group of Object.values(mod)) {
      if (!group || typeof group !== 'object') continue;
      for (const op of Object.values(group)) {
        const o = op as { name?: unknown; check?: unknown };
        if (!o || typeof o.name !== 'string' || typeof o.check !== 'function') continue;
        t.notOk(names.has(o.name) && names.get(o.name) !== rel(p), `${o.name} declared once`);
        names.set(o.name, rel(p));
      }
    }
  }
  t.ok(names.size >= 25, `the ops are found (${names.size})`);
  for (const must of ['nm.view', 'rc.start', 'cl.start', 'pm.status', 'md.active', 'agent.status', 'alert.read', 'fault']) t.ok(names.has(must), `${must} is declared`);
  const quoted = (name: string) => new RegExp(`['"\`]${name.replace(/\./g, '\\.')}['"\`]|[{,:]\\s*op\\s*:\\s*['"\`]${name.replace(/\./g, '\\.')}`);
  const stray: string[] = [];
  const repo = path.resolve(src, '..');
  const tsUnder = (d: string) => (fs.readdirSync(path.join(repo, d), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(repo, d, f));
  // The tests and benchmarks call ops the same way (this file names them on purpose).
  const elsewhere = [...tsUnder('test'), ...tsUnder('bench')].filter((f) => f !== __filename);
  for (const f of [...files.filter((x) => !protocols.includes(x)), ...elsewhere]) {
    // Comments may name an op; code may not.
    const text = fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    for (const name of names.keys()) if (quoted(name).test(text)) stray.push(`${path.relative(repo, f)}: '${name}'`);
  }
  t.same(stray, [], 'no op name spelt outside its protocol file');
});
