// liscal's pure parts (bitmap, protocol codec, metadata layout) built in user space:
// the C unit tests under ASan/UBSan, then a bounded libFuzzer run of the decoders.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';

const dir = path.resolve(__dirname, '../../kmod/liscal/test');
const onPath = (f: string) => (process.env.PATH ?? '').split(':').some((d) => fs.existsSync(`${d}/${f}`));
const make = (target: string, ...vars: string[]) =>
  spawnSync('make', ['-s', '-C', dir, target, ...vars], { encoding: 'utf8', timeout: 110000 });

t.test('unit tests of the pure parts (gcc, ASan, UBSan)', { skip: onPath('gcc') ? false : 'gcc is missing' }, async (t) => {
  const r = make('check');
  const out = `${r.stdout}${r.stderr}`;
  t.equal(r.status, 0, 'make check succeeds');
  const fails = out.split('\n').filter((l) => l.startsWith('not ok'));
  t.same(fails, [], 'no failing C test');
  const m = /^# (\d+) passed, (\d+) failed$/m.exec(out);
  t.ok(m && Number(m[1]) >= 40 && m[2] === '0', `C tests ran: ${m?.[0] ?? out.slice(-2000)}`);
});

t.test('libFuzzer on the decoders', { skip: onPath('clang') ? false : 'clang is missing (bash scripts/setup.sh)' }, async (t) => {
  const r = make('fuzz', 'RUNS=200000');
  const out = `${r.stdout}${r.stderr}`;
  t.equal(r.status, 0, `fuzzer exits cleanly${r.status ? `\n${out.slice(-3000)}` : ''}`);
  t.match(out, /Done 200000 runs/, '200000 runs done');
  t.notMatch(out, /ERROR: (AddressSanitizer|libFuzzer)|runtime error/, 'no sanitizer report');
});
