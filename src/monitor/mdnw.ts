// mdnw: the mirror link, through the mirror agent; return codes of seed §12.5.7.
import type { CheckFactory } from './types';

export const mdnw: CheckFactory = (cfg, d) => ({
  async run() {
    if (!d.mirror) return { code: 1, message: 'Need to start mirror agent at first.' };
    return d.mirror.mdnw(cfg.params.resource ?? '');
  },
  timedOut: () => ({ code: 30, message: 'Internal error[status=timeout]' }),
});
