// The exec resource with real scripts: environment, log file, exit codes, timeout, async.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../../src/platform/host';
import { ExecResource } from '../../../src/resource/exec';
import { ResourceError } from '../../../src/resource/types';
import { resourceDeps, testResource, type Keys } from '../../helpers/config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-exec-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const script = (name: string, body: string) => { const f = path.join(dir, name); fs.writeFileSync(f, `#!/bin/sh\n${body}\n`, { mode: 0o755 }); return f; };
const platform = new HostPlatform({ powerRecord: '' });
const make = (over: Keys) => new ExecResource(testResource('exec', 'exec1', {
  deactive_final_action: 'none', start: script('ok', 'exit 0'), stop: script('ok', 'exit 0'), timeout: 5000, log_file: path.join(dir, 'exec1.log'), ...over,
}), resourceDeps({ root: dir, platform, local: 'server2' }));

t.test('the script sees why it runs; its output goes to the log file', async (t) => {
  const r = make({ start: script('env', 'echo "$CLP_EVENT $CLP_SERVER $CLP_GROUPNAME $CLP_RESOURCENAME"') });
  await r.activate('failover');
  t.match(fs.readFileSync(path.join(dir, 'exec1.log'), 'utf8'), 'FAILOVER OTHER g1 exec1');
});

t.test('exit code, timeout and missing script give the seed\'s messages', async (t) => {
  await t.rejects(make({ start: script('fail', 'exit 3') }).activate('start'), new ResourceError(1, 'Termination code 3 was returned.'));
  await t.rejects(make({ start: script('slow', 'sleep 5'), timeout: 300 }).activate('start'), new ResourceError(1, 'Command was not completed within 1 seconds.'));
  await t.rejects(make({ start: path.join(dir, 'none') }).activate('start'), { message: /^Command was not found\. \(error=ENOENT\)$/ });
  // The seed's 'Command string was invalid.' for a relative script cannot happen any more: the configuration refuses it.
  t.throws(() => make({ start: 'relative.sh' }), { message: /\[resource exec1\] start: 'relative\.sh' is not an absolute path/ });
});

t.test('an asynchronous start keeps running; stop ends its process group', async (t) => {
  const r = make({ async: true, start: script('daemon', 'sleep 30 & exec sleep 30') });
  await r.activate('start');
  const pid = r.pid!;
  t.ok(pid && platform.signal(pid, 0), 'running');
  await r.deactivate('stop');
  await new Promise((res) => setTimeout(res, 200));
  t.notOk(platform.signal(pid, 0), 'ended');
  t.equal(r.pid, undefined);
});
