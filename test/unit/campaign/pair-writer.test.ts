// The pair campaign's writer (rootfs/.../campaign/writer/writer.js) and its host side
// (src/host/pair/writer-client.ts) over loopback: every acknowledged record is in the file,
// a number is never written twice (also across a writer killed and started again), pause
// leaves nothing in flight, and bad input gets an error naming it without stopping the writer.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import t from 'tap';

const root = path.resolve(__dirname, '..', '..', '..');
const writerJs = path.join(root, 'rootfs', 'opt', 'pairha', 'scripts', 'campaign', 'writer', 'writer.js');
const clientJs = path.join(root, 'dist', 'host', 'pair', 'writer-client.js');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function until(what: string, ok: () => boolean, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const records = (dir: string) => fs.readFileSync(path.join(dir, 'records'), 'utf8').split('\n').filter(Boolean).map(Number);

t.test('acknowledged records are on disk, each number once, across a writer restart', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-writer-'));
  const port = await freePort();
  let writer: ChildProcess = spawn(process.execPath, [writerJs, dir, String(port)], { stdio: 'ignore' });
  const client = spawn(process.execPath, [clientJs, '127.0.0.1', String(port), '2000'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => { writer.kill('SIGKILL'); client.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); });
  const acked: number[] = [];
  let pausedSeen = 0;
  readline.createInterface({ input: client.stdout! }).on('line', (l) => {
    const m = /^ack (\d+)$/.exec(l);
    if (m) acked.push(Number(m[1])); else if (l === 'paused') pausedSeen++;
  });

  await until('5 records acknowledged', () => acked.length >= 5);
  client.stdin!.write('pause\n');
  await until('paused', () => pausedSeen === 1);
  const atPause = acked.length;
  t.same(records(dir), acked, 'paused: the file holds exactly the acknowledged records, in order');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(acked.length, atPause, 'nothing acknowledged while paused');
  client.stdin!.write('resume\n');
  await until('more records after resume', () => acked.length >= atPause + 3);

  // The writer killed (a failover) and started again: the client reconnects; numbers go on.
  writer.kill('SIGKILL');
  await new Promise((r) => writer.once('exit', r));
  const beforeRestart = acked.length;
  writer = spawn(process.execPath, [writerJs, dir, String(port)], { stdio: 'ignore' });
  await until('records acknowledged by the new writer', () => acked.length >= beforeRestart + 3);
  client.stdin!.write('pause\n');
  await until('paused again', () => pausedSeen === 2);
  const onDisk = records(dir);
  t.same(acked.filter((n) => !onDisk.includes(n)), [], 'every acknowledged record is on disk');
  t.equal(new Set(onDisk).size, onDisk.length, 'no number written twice');
  t.ok(onDisk.every((n, i) => i === 0 || n > onDisk[i - 1]), 'records in ascending order');
});

t.test('bad input: an error naming it, the connection closed, the writer serving on', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-writer-'));
  const port = await freePort();
  const writer = spawn(process.execPath, [writerJs, dir, String(port)], { stdio: 'ignore' });
  t.teardown(() => { writer.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); });
  const ask = async (text: string) => {
    for (let i = 0; ; i++) {
      try {
        return await new Promise<string>((resolve, reject) => {
          const c = net.connect(port, '127.0.0.1');
          let got = '';
          c.on('data', (d) => { got += d; });
          c.on('error', reject);
          c.on('close', () => resolve(got));
          c.on('connect', () => { c.write(text); setTimeout(() => c.end(), 500); });
        });
      } catch (e) { if (i > 50) throw e; await new Promise((r) => setTimeout(r, 100)); }
    }
  };
  t.equal(await ask('7\n'), 'ok 7\n', 'a record number is acknowledged');
  t.equal(await ask('seven\n'), 'error: not a record number: "seven"\n', 'a word is refused, named');
  t.equal(await ask(`${'9'.repeat(80)}`), 'error: line too long\n', 'an endless line is refused');
  t.equal(await ask('8\n'), 'ok 8\n', 'the writer serves on');
  t.same(records(dir), [7, 8], 'only the valid records are in the file');
});

t.test('writer-client: bad arguments are named', async (t) => {
  const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const c = spawn(process.execPath, [clientJs, '127.0.0.1', 'port'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr!.on('data', (d) => { err += d; });
    c.on('exit', (code) => resolve({ code, err }));
  });
  t.equal(r.code, 2);
  t.match(r.err, /writer-client: usage: writer-client HOST PORT \[TIMEOUT_MS\] \(got \["127.0.0.1","port"\]\)/);
});
