// pidw: the process of an asynchronous exec resource must exist (seed §12.5.3).
import type { CheckFactory } from './types';

export const pidw: CheckFactory = (cfg, d) => ({
  async run() {
    const pid = d.pidOf(cfg.params.resource ?? '');
    if (pid === undefined) return { code: 1, message: `Resource ${cfg.params.resource} was not found.` };
    return d.platform.signal(pid, 0) ? undefined : { code: 1, message: `Process does not exist. (pid=${pid})` };
  },
  timedOut: () => ({ code: 1, message: 'Internal error. (status=timeout)' }),
});
