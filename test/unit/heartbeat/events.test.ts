// The COM and disk heartbeats report a missing or unusable device with the seed's events
// (comhb 1/2, diskhb 10/11), once per persisting problem, in the seed's text.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { EventBus } from '../../../src/events/bus';
import { AlertLog, readAlerts } from '../../../src/events/sinks/alert';
import { ComTransport } from '../../../src/heartbeat/com';
import { DiskTransport } from '../../../src/heartbeat/disk';
import { loadDirectIO } from '../../../src/heartbeat/directio';
import { nullLogger } from '../../../src/logger';
import { testHeartbeat } from '../../helpers/config';
import type { Test } from 'tap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hb-events-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bus(t: Test) {
  const dir = fs.mkdtempSync(path.join(tmp, 'alert-'));
  const b = new EventBus(path.resolve(__dirname, '..', '..', '..', 'messages'), 'server1', { alert: new AlertLog(dir, 100) }, nullLogger);
  t.teardown(() => b.close());
  return { events: b, texts: () => readAlerts(dir).map((e) => `${e.type} ${e.id} ${e.text}`) };
}

t.test('comhb 1: device does not exist; comhb 2: open fails; each reported once', async (t) => {
  const { events, texts } = bus(t);
  const missing = path.join(tmp, 'ttyS9');
  const com = new ComTransport(testHeartbeat('comhb', 'comhb1', { server1: missing, server2: '/dev/ttyS1' }), 'server1', events, nullLogger);
  await com.start(() => {});
  for (let i = 0; i < 5; i++) com.send(Buffer.from('x'));
  await sleep(50);
  t.equal(com.usable, false);
  const notTty = path.join(tmp, 'plainfile');
  fs.writeFileSync(notTty, '');
  const com2 = new ComTransport(testHeartbeat('comhb', 'comhb2', { server1: notTty, server2: '/dev/ttyS1' }), 'server1', events, nullLogger);
  await com2.start(() => {});
  for (let i = 0; i < 5; i++) { com2.send(Buffer.from('x')); await sleep(20); }
  await com.stop(); await com2.stop();
  await sleep(50);
  t.same(texts(), [`comhb 1 Device(${missing}) is not exist.`, `comhb 2 open(${notTty}) failed.`]);
});

t.test('diskhb 10: device does not exist; 11: not a block device', async (t) => {
  const { events, texts } = bus(t);
  const dio = loadDirectIO();
  const mk = (dev: string, name: string) => new DiskTransport(testHeartbeat('diskhb', name, { server1: dev, server2: '/dev/sdb1', slot_size: 512 }), 'server1', 0, 2, events, nullLogger, dio);
  const missing = path.join(tmp, 'sdz1');
  const a = mk(missing, 'diskhb1');
  await a.start(() => {});
  for (let i = 0; i < 3; i++) { a.send(Buffer.from('x')); a.poll(); }
  const b = mk(tmp, 'diskhb2');
  await b.start(() => {});
  b.send(Buffer.from('x'));
  t.equal(a.usable, false); t.equal(b.usable, false);
  // The device appearing makes the link usable again, without a new event.
  fs.writeFileSync(missing, Buffer.alloc(4096));
  a.send(Buffer.from('x'));
  t.equal(a.usable, true);
  await sleep(100);
  t.same(texts(), [`diskhb 10 Device(${missing}) of resource(diskhb1) is not exist.`, `diskhb 11 Device(${tmp}) of resource(diskhb2) is not block device.`]);
});
