import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { generateEvents, type SourceFile } from '../../scripts/gen-events';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string): SourceFile => ({ file, text: fs.readFileSync(path.join(root, file), 'utf8') });

const rc = (text: string): SourceFile => ({ file: 'messages/rc.msg.us', text });
const names = (text: string): SourceFile => ({ file: 'names.txt', text });
const head = '# rc\n';
const started = 'ID=60 SEND=syslog.alert MSG=The failover processing of a group %1 started. LVL=INFO\n';
const failed = 'ID=32 SEND=syslog.alert.mail MSG=The start processing of a resource %1 failed. (%2 : %3) LVL=ERR\n';

t.test('the committed src/events/ids.ts is what the message files and the name table give', async (t) => {
  const messages = fs.readdirSync(path.join(root, 'messages')).filter((f) => f.endsWith('.msg.us')).map((f) => read(`messages/${f}`));
  const { source, errors } = generateEvents(messages, read('src/events/names.txt'));
  t.same(errors, []);
  t.equal(source, read('src/events/ids.ts').text);
});

t.test('a matching pair gives a constant typed with module, ID and arguments', async (t) => {
  const { source, errors } = generateEvents([rc(head + failed)], names('[rc]\n32 resourceStartFailed(resource, code, message)\n'));
  t.same(errors, []);
  t.match(source, "resourceStartFailed: { type: 'rc', id: 32 } as EventId<'rc', 32, [resource: EventArg, code: EventArg, message: EventArg]>");
});

t.test('a catalog entry without its constant fails at its file:line', async (t) => {
  const { errors } = generateEvents([rc(head + started + failed)], names('[rc]\n60 groupFailoverBegan(group)\n'));
  t.same(errors, ['messages/rc.msg.us:3: rc 32 has no constant; name it under [rc] in names.txt']);
});

t.test('a constant without its catalog entry fails at its file:line', async (t) => {
  const { errors } = generateEvents([rc(head + started)], names('[rc]\n60 groupFailoverBegan(group)\n61 groupFailoverEnded(group)\n'));
  t.same(errors, ['names.txt:3: rc 61 groupFailoverEnded is not an event of the message files (messages/rc.msg.us)']);
});

t.test('a constant whose arguments differ from the message\'s %1..%n fails', async (t) => {
  const { errors } = generateEvents([rc(head + failed)], names('[rc]\n32 resourceStartFailed(resource, code)\n'));
  t.same(errors, ['names.txt:2: rc 32 resourceStartFailed takes 2 argument(s) but its message at messages/rc.msg.us:2 uses 3 (%1..%n)']);
  const gap = generateEvents([rc('ID=1 SEND=syslog MSG=a %1 and %3 LVL=INFO\n')], names('[rc]\n1 gap(a, b, c)\n'));
  t.same(gap.errors, ['messages/rc.msg.us:1: rc 1 uses %3 but not %2']);
});

t.test('twice the same ID or name, or a bad line, in the table fails', async (t) => {
  const twice = generateEvents([rc(started)], names('[rc]\n60 groupFailoverBegan(group)\n60 other(group)\n61 groupFailoverBegan(group)\n'));
  t.same(twice.errors, [
    'names.txt:3: rc ID 60 is already named at names.txt:2',
    'names.txt:4: rc groupFailoverBegan is already named at names.txt:2',
  ]);
  t.same(generateEvents([rc(started)], names('60 groupFailoverBegan(group)\n')).errors.slice(0, 1), ["names.txt:1: expected '[module]' or 'ID name(arg, ...)' under a [module]"]);
  t.same(generateEvents([rc('ID=x\n')], names('[rc]\n60 groupFailoverBegan(group)\n')).errors, ["messages/rc.msg.us:1: expected 'ID=n SEND=dest[.dest] MSG=text LVL=INFO|WARN|ERR'"]);
});
