// The campaign's command line: every error names the argument and the value at fault.
import t from 'tap';
import { ArgError, main, parseArgs } from '../../../src/host/campaign/main';

t.test('a full command line', async (t) => {
  t.same(parseArgs(['--target', 'lab', '--steps', '10', '--seed', '7', '--faults', 'partition,netem', '--dwell', '500', '--keep-logs', '/tmp/k']),
    { target: 'lab', steps: 10, seed: 7, faults: ['partition', 'netem'], dwellMs: 500, keepDir: '/tmp/k' });
  t.same(parseArgs(['--seed', '0', '--target', 'pair', '--steps', '1']), { target: 'pair', steps: 1, seed: 0 });
});

const bad: Array<[string[], RegExp]> = [
  [[], /--target is missing/],
  [['--target', 'lab', '--steps', '3'], /--seed is missing/],
  [['--target', 'moon', '--steps', '3', '--seed', '1'], /--target: 'moon' is not one of lab, pair/],
  [['--target', 'lab', '--steps', '0', '--seed', '1'], /--steps: '0' is not an integer in 1\.\.1000000/],
  [['--target', 'lab', '--steps', '1e3', '--seed', '1'], /--steps: '1e3'/],
  [['--target', 'lab', '--steps', '3', '--seed', '-4'], /--seed needs a value|--seed: '-4'/],
  [['--target', 'lab', '--steps', '3', '--seed', '4294967296'], /--seed: '4294967296' is not an integer in 0\.\.4294967295/],
  [['--target', 'lab', '--steps', '3', '--seed', '1', '--faults', 'partition,fire'], /--faults: 'fire' \(item 2\) is not a fault/],
  [['--target', 'lab', '--steps', '3', '--seed', '1', '--faults', 'netem,netem'], /--faults: 'netem' is listed twice/],
  [['--target', 'lab', '--steps', '3', '--seed', '1', '--keep-logs'], /--keep-logs needs a value/],
  [['--target', 'lab', '--steps', '3', '--seed', '1', '--steps', '4'], /--steps given twice/],
  [['--target', 'lab', '--steps'], /--steps needs a value/],
  [['--target', 'lab', '--step', '3'], /unknown argument '--step' \(argument 3\)/],
];

t.test('errors name what and where', async (t) => {
  for (const [argv, re] of bad) t.throws(() => parseArgs(argv), re, argv.join(' '));
  try { parseArgs([]); } catch (e) { t.ok(e instanceof ArgError, 'an ArgError, so main can tell it from a crash'); }
});

t.test('main prints the error and the usage, exit 2, and starts no target', async (t) => {
  let err = '';
  const code = await main(['--target', 'lab', '--steps', 'x', '--seed', '1'], () => t.fail('no output'), (s) => { err += s; });
  t.equal(code, 2);
  t.match(err, /^campaign: --steps: 'x' is not an integer/);
  t.match(err, /usage: npm run campaign -- --target lab\|pair/);
});
