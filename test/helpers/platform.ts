// A platform for unit tests that run no programs: every command "succeeds" unless the test
// overrides run; starting a daemon is a test error.
import type { NetIf } from '../../src/platform/netif';
import type { Platform } from '../../src/platform/types';

const refuse = (op: string) => async (): Promise<never> => { throw new Error(`stubPlatform: this test touches no interface (net.${op})`); };
/** Network interfaces a test without namespaces must not touch: every call is a test error. */
export const noNet: NetIf = { addresses: refuse('addresses'), add: refuse('add'), remove: refuse('remove'), probe: refuse('probe'), announce: refuse('announce'), claim: refuse('claim') };

export function stubPlatform(over: Partial<Platform> = {}): Platform {
  return {
    run: async () => ({ code: 0, stdout: '', stderr: '' }),
    power: async () => {},
    daemon: () => { throw new Error('stubPlatform: this test starts no daemon'); },
    signal: () => false,
    net: noNet,
    ...over,
  };
}

/** `base`, except what `over` replaces (run inside a namespace, another ping ...). */
export function platformVia(base: Platform, over: Partial<Platform>): Platform {
  return {
    run: (file, args, opts) => base.run(file, args, opts),
    power: (action, reason) => base.power(action, reason),
    daemon: (file, args, opts) => base.daemon(file, args, opts),
    signal: (pid, sig, group) => base.signal(pid, sig, group),
    net: over.net ?? base.net,
    ...over,
  };
}
