// A second runtime for the same root is refused (pm 10); a pid file left by a crash is not
// (its process gone, a zombie, or a different program that got the pid).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { claimPidFile } from '../../../src/runtime/runtime';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pidfile-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'run', 'pairha.pid');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('pid files', async (t) => {
  t.ok(claimPidFile(file), 'no pid file');
  t.equal(fs.readFileSync(file, 'utf8'), String(process.pid));

  const script = path.join(dir, 'runtime', 'main.js');
  fs.mkdirSync(path.dirname(script));
  fs.writeFileSync(script, 'setTimeout(() => {}, 20000);');
  const other = spawn(process.execPath, [script], { stdio: 'ignore' });
  t.teardown(() => other.kill('SIGKILL'));
  await sleep(200);
  fs.writeFileSync(file, String(other.pid));
  t.notOk(claimPidFile(file), 'a live runtime holds it');

  const stranger = spawn('sleep', ['20'], { stdio: 'ignore' });
  t.teardown(() => stranger.kill('SIGKILL'));
  fs.writeFileSync(file, String(stranger.pid));
  t.ok(claimPidFile(file), 'another program with that pid does not');

  other.kill('SIGKILL');
  await sleep(200); // not reaped by us until the event loop turns: a zombie meanwhile, or gone
  fs.writeFileSync(file, String(other.pid));
  t.ok(claimPidFile(file), 'a dead runtime does not');
  fs.writeFileSync(file, '999999999');
  t.ok(claimPidFile(file), 'a pid that does not exist does not');
});
