import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { EventBus, type EventRecord, type Sink } from '../../src/events/bus';
import { formatMessage, loadCatalog, parseMessageFile } from '../../src/events/catalog';
import { ev } from '../../src/events/ids';
import { nullLogger } from '../../src/logger';
import { seedEvents } from '../helpers/seed';

const messages = path.resolve(__dirname, '..', '..', 'messages');

t.test('every event of seed §12.1 is in the message files with its exact text, level and destinations', async (t) => {
  const cat = loadCatalog(messages);
  const events = seedEvents();
  t.ok(events.length >= 135, `seed table parsed (${events.length} events)`);
  for (const e of events) {
    const d = cat.get(`${e.type}:${e.id}`);
    if (!d) { t.fail(`${e.type} ${e.id} missing`); continue; }
    t.equal(d.msg, e.msg, `${e.type} ${e.id} text`);
    t.equal(d.lvl, e.lvl, `${e.type} ${e.id} level`);
    t.same([...d.send].sort(), [...e.send].sort(), `${e.type} ${e.id} SEND`);
  }
  t.equal(cat.get('pm:13')!.send.join('.'), 'syslog.alert.mail', 'pm 13 as in seed §12.3');
});

t.test('message file errors name file:line', async (t) => {
  t.throws(() => parseMessageFile('ID=1 SEND=syslog MSG=x LVL=INFO\nID=x SEND= MSG=y LVL=INFO\n', 'pm', 'pm.msg.us'), /pm\.msg\.us:2: expected/);
  t.throws(() => parseMessageFile('ID=1 SEND=fax MSG=x LVL=INFO\n', 'pm', 'f'), /f:1: unknown SEND destination 'fax'/);
  t.throws(() => parseMessageFile('ID=1 SEND=alert MSG=x LVL=BAD\n', 'pm', 'f'), /f:1: unknown LVL 'BAD'/);
  t.throws(() => parseMessageFile('ID=1 SEND=alert MSG=x LVL=INFO\nID=1 SEND=alert MSG=y LVL=INFO\n', 'pm', 'f'), /f:2: event ID 1 is defined twice/);
});

t.test('%n arguments are filled', async (t) => {
  t.equal(formatMessage('Resource %1 of server %2 up.', ['lanhb1', 'server1']), 'Resource lanhb1 of server server1 up.');
  t.equal(formatMessage('Server %1 down.', []), 'Server %1 down.');
});

t.test('editing SEND changes where an event goes (seed §12.3)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'msg-'));
  fs.copyFileSync(path.join(messages, 'pm.msg.us'), path.join(dir, 'pm.msg.us'));
  const got: Record<string, string[]> = { syslog: [], alert: [], mail: [] };
  const sink = (d: string): Sink => ({ deliver: (r: EventRecord) => { got[d].push(`${r.def.type}:${r.def.id}`); } });
  const bus = new EventBus(dir, 'server1', { syslog: sink('syslog'), alert: sink('alert'), mail: sink('mail') }, nullLogger);
  bus.emit(ev.pm.configInvalid);
  t.same(got, { syslog: ['pm:13'], alert: ['pm:13'], mail: ['pm:13'] });
  const f = path.join(dir, 'pm.msg.us');
  fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('ID=13 SEND=syslog.alert.mail', 'ID=13 SEND=syslog.alert'));
  bus.reload();
  bus.emit(ev.pm.configInvalid);
  t.same(got.mail, ['pm:13'], 'no second mail');
  t.equal(got.syslog.length, 2);
  fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^ID=13 .*\n/m, ''));
  bus.reload();
  bus.emit(ev.pm.configInvalid);
  t.equal(bus.dropped.unknown, 1, 'an event the edited files lack is counted, not thrown');
});

t.test('a typed event reaches the sinks with its module, ID and filled text', async (t) => {
  const got: string[] = [];
  const bus = new EventBus(messages, 'server1', { alert: { deliver: (r) => { got.push(`${r.def.type}:${r.def.id} ${r.text}`); } } }, nullLogger);
  bus.emit(ev.rc.resourceStartFailed, 'disk1', 1, 'fsck failed');
  bus.emit(ev.nm.heartbeatUp, 'lanhb1', 'server2');
  t.same(got, ['rc:32 The start processing of a resource disk1 failed. (1 : fsck failed)', 'nm:3 Resource lanhb1 of server server2 up.']);
});
