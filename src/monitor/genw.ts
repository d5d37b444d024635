// genw: a custom script; exit 0 is normal, anything else a failure with its exit code.
import type { CheckFactory } from './types';

export const genw: CheckFactory = (cfg, d) => ({
  async run() {
    const r = await d.platform.run(cfg.params.script ?? '', [], { timeoutMs: cfg.timeout });
    if (r.code === 0 && !r.signal) return undefined;
    return { code: r.code || 1, message: `Termination code ${r.code} was returned.` };
  },
  timedOut: () => ({ code: 1, message: `Command was not completed within ${Math.ceil(cfg.timeout / 1000)} seconds.` }),
});
