// A platform for unit tests that run no programs: every command "succeeds" unless the test
// overrides run; starting a daemon is a test error.
import type { Platform } from '../../src/platform/types';

export function stubPlatform(over: Partial<Platform> = {}): Platform {
  return {
    run: async () => ({ code: 0, stdout: '', stderr: '' }),
    power: async () => {},
    daemon: () => { throw new Error('stubPlatform: this test starts no daemon'); },
    signal: () => false,
    ...over,
  };
}
