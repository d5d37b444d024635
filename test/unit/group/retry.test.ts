// active_retry in the group: a resource's error may ask for a pause before the next attempt
// (the floating IP's refusal, return 15, so that the retries outlast a former holder's
// watchdog); the pause is the group's, between attempts only, never after the last one.
import t from 'tap';
import { LocalGroup } from '../../../src/group/group';
import { nullLogger } from '../../../src/logger';
import { ResourceError, type Resource } from '../../../src/resource';
import { testConfig, testResource } from '../../helpers/config';

const events = { emit: () => {} };
const group = testConfig([['group g1', { servers: 'server1,server2' }]]).groups[0];

/** A resource that fails `failures` times with the given pause, then comes up. */
function flaky(failures: number, retryAfterMs: number, activeRetry: number): Resource & { attempts: number[] } {
  const cfg = { ...testResource('exec', 'r1'), activeRetry };
  const attempts: number[] = [];
  return {
    cfg, attempts,
    async activate() {
      attempts.push(performance.now());
      if (attempts.length <= failures) throw new ResourceError(15, 'This ip address was already used. IP=10.0.0.9', retryAfterMs);
    },
    async deactivate() {},
  };
}

t.test('the group waits retryAfterMs between attempts', async (t) => {
  const r = flaky(2, 200, 2);
  const failure = await new LocalGroup(group, [r], events, nullLogger).activateResource(r, 'start');
  t.equal(failure, undefined, 'the third attempt succeeds');
  t.equal(r.attempts.length, 3);
  for (let i = 1; i < 3; i++) t.ok(r.attempts[i] - r.attempts[i - 1] >= 195, `attempt ${i + 1} came ${(r.attempts[i] - r.attempts[i - 1]).toFixed(0)} ms after the one before`);
});

t.test('no pause after the last attempt: the failure is reported at once', async (t) => {
  // A pause of a minute after the last attempt would make this test time out.
  const r = flaky(5, 60000, 0);
  const start = performance.now();
  const failure = await new LocalGroup(group, [r], events, nullLogger).activateResource(r, 'start');
  t.equal(failure?.code, 15, 'return 15 reported');
  t.equal(r.attempts.length, 1, 'one attempt (active_retry 0)');
  t.ok(performance.now() - start < 30000, 'reported without waiting for the pause');
});
