// The liscal adapter against a directory standing in for /proc: it checks only the command
// strings written to ctl and the parsing of liscalstat. The real driver is exercised by the
// qemu tests on the virtual pair (test/vm/), not here.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Liscal, LiscalError } from '../../../src/mirror/liscal';
import { formatStatusLine, parseStatus, parseStatusLine } from '../../../src/mirror/liscal-status';
import { st } from '../../helpers/mirror';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'liscal-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const proc = path.join(root, 'liscal');
fs.mkdirSync(proc);
const ctl = path.join(proc, 'ctl');
fs.writeFileSync(ctl, '');
const stat = path.join(root, 'liscalstat');
const driverLine = 'NMP1 bound=1 port=open peerport=closed conn=connected act=io state=SYNC color=GREEN dirty=0 chunks=16384 diskerr=0 recovery=none pct=0 elapsed=0 remaining=0 gen=5 peergen=5 lastupdate=1764030000 breaktime=0';
const withCounts = driverLine + ' rdone=12 rtotal=300';

t.test('commands as the driver reads them, one line each', async (t) => {
  const l = new Liscal(proc);
  t.equal(l.statFile, stat, 'liscalstat is the sibling of the liscal directory');
  fs.writeFileSync(ctl, '');
  // Issued without waiting: they still reach the driver one at a time, in this order.
  await Promise.all([
    l.key(Buffer.from('0123456789abcdef')),
    l.bind(1, { data: '/dev/vdb2', cp: '/dev/vdb1', peer: '192.168.1.2', local: '192.168.1.1', drvPort: 29005, dataPort: 29051 }),
    l.open(1), l.open(2, true), l.close(1), l.connect(1), l.disconnect(1),
    l.recover(1, 'diff'), l.recover(1, 'full'), l.stopRecover(1),
    l.force(1, 'green'), l.force(1, 'red'), l.force(1, 'latest'), l.onError(1, 'detach'), l.unbind(1), l.unloadCheck(),
  ]);
  t.same(fs.readFileSync(ctl, 'utf8').split('\n'), [
    'key 30313233343536373839616263646566',
    'bind 1 data=/dev/vdb2 cp=/dev/vdb1 peer=192.168.1.2 local=192.168.1.1 drvport=29005 dataport=29051',
    'open 1', 'open 2 force', 'close 1', 'connect 1', 'disconnect 1',
    'recover 1 diff', 'recover 1 full', 'stoprecover 1',
    'force 1 green', 'force 1 red', 'force 1 latest', 'onerror 1 detach', 'unbind 1', 'unload-check', '',
  ]);
});

t.test('a value that could smuggle a second token is refused before any write', async (t) => {
  const l = new Liscal(proc);
  fs.writeFileSync(ctl, '');
  await t.rejects(l.bind(1, { data: '/dev/vdb2 force', cp: '/dev/vdb1', peer: '10.0.0.2', dataPort: 1 }), /data '\/dev\/vdb2 force' is not a valid token/);
  await t.rejects(l.bind(1, { data: '/dev/vdb2\nopen 1', cp: '/dev/vdb1', peer: '10.0.0.2', dataPort: 1 }), /liscal: 'data' failed: data '\/dev\/vdb2\nopen 1' is not a valid token$/);
  t.equal(fs.readFileSync(ctl, 'utf8'), '', 'nothing written');
});

t.test('driver not loaded: a precise error, status empty with the reason', async (t) => {
  const l = new Liscal(path.join(root, 'absent', 'liscal'));
  t.equal(l.loaded(), false);
  await t.rejects(l.open(1), { message: "liscal: 'open 1' failed: the liscal driver is not loaded (ENOENT)" });
  const s = l.status();
  t.equal(s.byNmp.size, 0);
  t.match(s.problems[0], /liscalstat: ENOENT/);
});

t.test('a ctl write the driver holds does not stop the runtime; past the timeout it is reported, and the next command waits its turn', async (t) => {
  // A FIFO with no reader stands in for a driver busy in connect: opening it for writing
  // blocks until a reader comes, as a write to the real ctl blocks until the command is done.
  const dir = path.join(root, 'slow', 'liscal');
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mkfifo', [path.join(dir, 'ctl')]);
  const l = new Liscal(dir, 1500);
  let ticks = 0;
  const clock = setInterval(() => { ticks++; }, 10);
  const connect = l.connect(1);
  const next = l.disconnect(1);
  await t.rejects(connect, { message: "liscal: 'connect 1' failed: the driver did not return in time (the command may still take effect) (ETIMEDOUT)" });
  const connectLate = Date.now();
  t.ok(ticks > 0, `the event loop ran while the write was held (${ticks} timer ticks)`);
  await t.rejects(next, { message: /^liscal: 'disconnect 1' failed: the driver did not return in time .*\(ETIMEDOUT\)$/ }, 'queued behind it, in order');
  // (a lower bound only: timers never fire early; the 50 ms spare covers libuv's rounding)
  t.ok(Date.now() - connectLate >= 1500 - 50, 'the queued command had its whole timeout from its turn, not from its queueing');
  // The driver returns: the held write completes and the queued one follows it.
  const reader = fs.openSync(path.join(dir, 'ctl'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let got = '';
  for (let i = 0; i < 200 && !got.includes('disconnect 1\n'); i++) {
    await new Promise((r) => setTimeout(r, 20));
    const b = Buffer.alloc(256);
    try { got += b.subarray(0, fs.readSync(reader, b)).toString(); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err; }
  }
  clearInterval(clock);
  fs.closeSync(reader);
  t.equal(got, 'connect 1\ndisconnect 1\n', 'one write each, in the order given');
  await l.open(1).then(() => t.fail('nobody reads the FIFO now'), (err: LiscalError) => t.equal(err.errno, 'ETIMEDOUT'));
  // Release the thread that waits for a reader.
  const last = fs.openSync(path.join(dir, 'ctl'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  await new Promise((r) => setTimeout(r, 200));
  fs.closeSync(last);
});

t.test('liscalstat: the README sample parses, and round-trips', async (t) => {
  fs.writeFileSync(stat, driverLine + '\n' + driverLine.replace('NMP1', 'NMP2').replace('port=open', 'port=closed') + '\n');
  const s = new Liscal(proc).status();
  t.same(s.problems, []);
  t.same(s.byNmp.get(1), st({ port: 'open', act: 'io' }));
  t.equal(s.byNmp.get(2)?.port, 'closed');
  t.equal(formatStatusLine(s.byNmp.get(1)!), driverLine);
});

t.test('liscalstat: the recovery counters of later drivers, and fields yet unknown', async (t) => {
  const s = parseStatusLine(withCounts);
  t.same(s, { ...st({ port: 'open', act: 'io' }), rDone: 12, rTotal: 300 });
  t.equal(formatStatusLine(s as ReturnType<typeof st>), withCounts, 'round-trips');
  t.same(parseStatusLine(withCounts + ' future=abc'), s, 'an unknown later field is tolerated');
  t.equal(parseStatusLine(withCounts + ' future'), "NMP1: malformed extra field 'future'");
  t.equal(parseStatusLine(driverLine + ' rdone=x'), "NMP1: bad value for rdone: 'x'");
  t.equal(parseStatusLine(driverLine + ' a=1'.repeat(17)), 'NMP1: 35 fields, expected 18 (and up to 16 more)');
});

t.test('malformed lines are reported, never thrown, and the good lines still count', async (t) => {
  const bad = [
    ['', undefined],
    ['garbage', "line 1: expected NMPn first, found 'garbage'"],
    ['NMP1 bound=1', 'line 1: NMP1: 1 fields, expected 18'],
    [driverLine.replace('state=SYNC', 'state=WEIRD'), "line 1: NMP1: bad value for state: 'WEIRD'"],
    [driverLine.replace('dirty=0', 'dirty=-1'), "line 1: NMP1: bad value for dirty: '-1'"],
    [driverLine.replace('pct=0', 'pct=101'), "line 1: NMP1: bad value for pct: '101'"],
    [driverLine.replace('gen=5 peergen=5', 'peergen=5 gen=5'), "line 1: NMP1: field 15 should be gen=..., found 'peergen=5'"],
    [driverLine.replace('bound=1', 'bound'), "line 1: NMP1: field 1 should be bound=..., found 'bound'"],
    ['NMP0 ' + driverLine.slice(5), "line 1: expected NMPn first, found 'NMP0'"],
    ['\u0000\u0001'.repeat(10), "line 1: expected NMPn first"],
  ] as const;
  for (const [line, why] of bad) {
    const p = parseStatus(line);
    if (why === undefined) t.same(p.problems, [], 'empty text: no problem');
    else t.ok((p.problems[0] ?? '').startsWith(why), `${why} (got: ${p.problems[0]})`);
    t.equal(p.byNmp.size, 0);
  }
  const mixed = parseStatus(`oops\n${driverLine}\n${driverLine}\n`);
  t.equal(mixed.byNmp.size, 1, 'the good line is kept');
  t.same(mixed.problems, ["line 1: expected NMPn first, found 'oops'", 'line 3: NMP1 listed twice']);
  t.type(parseStatusLine('NMP1 ' + 'x=1 '.repeat(100000)), 'string', 'a huge line is refused');
});
